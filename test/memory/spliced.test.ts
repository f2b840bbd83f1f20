import { describe, expect, it } from 'vitest';
import { UnmappedAddressError } from '../../src/base/errors.ts';
import type { Region } from '../../src/memory/image.ts';
import { SplicedImage } from '../../src/memory/spliced.ts';

/** A region whose byte at address a is (a + tag) & 0xff. */
function r(start: number, end: number, tag: number): Region {
  return {
    start,
    end,
    origin: 'synthetic',
    label: `tag ${tag}`,
    read: (a, n) => Uint8Array.from({ length: n }, (_, i) => (a + i + tag) & 0xff),
  };
}
const z = (start: number, end: number): Region => ({ start, end, origin: 'zero', label: 'zero' });
const spans = (img: SplicedImage) => img.regions().map((x) => [x.start, x.end, x.label]);

describe('SplicedImage', () => {
  it('later layers win; earlier regions are cut around them', () => {
    const img = new SplicedImage([[r(0x1000, 0x5000, 0)], [r(0x2000, 0x3000, 1), r(0x4800, 0x6000, 2)]]);
    expect(spans(img)).toEqual([
      [0x1000, 0x2000, 'tag 0'],
      [0x2000, 0x3000, 'tag 1'],
      [0x3000, 0x4800, 'tag 0'],
      [0x4800, 0x6000, 'tag 2'],
    ]);
    expect(img.readU8(0x1fff)).toBe((0x1fff + 0) & 0xff);
    expect(img.readU8(0x2000)).toBe((0x2000 + 1) & 0xff);
    expect(img.readU8(0x3000)).toBe((0x3000 + 0) & 0xff);
  });

  it('a region covering several earlier ones replaces them all', () => {
    const img = new SplicedImage([[r(0, 10, 0), r(10, 20, 0), r(30, 40, 0)], [r(5, 35, 9)]]);
    expect(spans(img)).toEqual([[0, 5, 'tag 0'], [5, 35, 'tag 9'], [35, 40, 'tag 0']]);
  });

  it('reads spanning adjacent regions (and zero-fill) are stitched', () => {
    const img = new SplicedImage([[r(0x100, 0x200, 0), z(0x200, 0x300), r(0x300, 0x400, 5)]]);
    const b = img.read(0x1fe, 0x104);
    expect(Array.from(b.subarray(0, 2))).toEqual([0xfe, 0xff]);
    expect(Array.from(b.subarray(2, 0x102)).every((x) => x === 0)).toBe(true);
    expect(Array.from(b.subarray(0x102))).toEqual([(0x300 + 5) & 0xff, (0x301 + 5) & 0xff]);
  });

  it('gaps are unmapped', () => {
    const img = new SplicedImage([[r(0x100, 0x200, 0), r(0x300, 0x400, 0)]]);
    expect(img.isMapped(0x1ff)).toBe(true);
    expect(img.isMapped(0x200)).toBe(false);
    expect(img.tryRead(0x1f0, 0x20)).toBeUndefined();
    expect(() => img.read(0x250, 8, 'g.sched')).toThrow(UnmappedAddressError);
    expect(() => img.read(0x250, 8, 'g.sched')).toThrow(/0x250.*g\.sched/);
    expect(img.tryRead(0x50, 1)).toBeUndefined();
    expect(img.tryRead(0x400, 1)).toBeUndefined();
  });

  it('u32/u64/ptr little-endian, and NaN for words above 2^53', () => {
    const bytes = new Uint8Array([0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0x60, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const img = new SplicedImage([[{ start: 0x1000, end: 0x1010, origin: 'synthetic', label: 'b', read: (a, n) => bytes.subarray(a - 0x1000, a - 0x1000 + n) }]]);
    expect(img.readU32(0x1000)).toBe(0x12345678);
    expect(img.readU64(0x1000)).toBe(0x12345678);
    expect(img.readPtr(0x1008)).toBeNaN();
  });

  it('high addresses near 2^47 and empty / non-finite regions', () => {
    const top = 2 ** 47 - 0x1000;
    const img = new SplicedImage([[r(top, top + 0x1000, 0), r(5, 5, 0), r(Number.NaN, 10, 0)]]);
    expect(img.regions()).toHaveLength(1);
    expect(img.readU8(top + 0xfff)).toBe((top + 0xfff) % 256);
  });
});
