import { describe, expect, it } from 'vitest';
import { encodePcValue, pcvalue, pcvalueRuns } from '../../../src/format/gosym/index.ts';
import { FormatError } from '../../../src/base/errors.ts';

describe('pcvalue', () => {
  // value −1 → 0 for [0x1000, 0x1004), → 8 for [0x1004, 0x1010), → 0 for [0x1010, 0x1011)
  const tab = encodePcValue([[1, 4], [8, 12], [-8, 1]]);

  it('decodes zig-zag deltas and pc runs', () => {
    expect(pcvalueRuns(tab, 0, 0x1000, 1)).toEqual([
      { start: 0x1000, end: 0x1004, value: 0 },
      { start: 0x1004, end: 0x1010, value: 8 },
      { start: 0x1010, end: 0x1011, value: 0 },
    ]);
    expect(pcvalue(tab, 0, 0x1000, 0x1000, 1)).toBe(0);
    expect(pcvalue(tab, 0, 0x1000, 0x1003, 1)).toBe(0);
    expect(pcvalue(tab, 0, 0x1000, 0x1004, 1)).toBe(8);
    expect(pcvalue(tab, 0, 0x1000, 0x100f, 1)).toBe(8);
    expect(pcvalue(tab, 0, 0x1000, 0x1010, 1)).toBe(0);
  });

  it('returns −1 past the end of the table and before entry', () => {
    expect(pcvalue(tab, 0, 0x1000, 0x1011, 1)).toBe(-1);
    expect(pcvalue(tab, 0, 0x1000, 0x0fff, 1)).toBe(0); // the runtime returns the first run's value
  });

  it('multiplies pc deltas by the quantum (arm64 = 4)', () => {
    const t = encodePcValue([[1, 3], [2, 1]]);
    expect(pcvalue(t, 0, 0x2000, 0x200b, 4)).toBe(0);
    expect(pcvalue(t, 0, 0x2000, 0x200c, 4)).toBe(2);
    expect(pcvalue(t, 0, 0x2000, 0x2010, 4)).toBe(-1);
  });

  it('accepts a zero first value delta (value −1 at entry)', () => {
    const t = encodePcValue([[0, 2], [5, 2]]);
    expect(t[0]).toBe(0);
    expect(pcvalue(t, 0, 0, 1, 1)).toBe(-1);
    expect(pcvalue(t, 0, 0, 2, 1)).toBe(4);
  });

  it('decodes multi-byte varints and large negative deltas', () => {
    const t = encodePcValue([[100000, 300], [-200000, 70000]]);
    expect(pcvalue(t, 0, 0, 299, 1)).toBe(99999);
    expect(pcvalue(t, 0, 0, 300, 1)).toBe(-100001);
    expect(pcvalue(t, 0, 0, 70299, 1)).toBe(-100001);
  });

  it('honours the table offset inside a larger pctab', () => {
    const big = new Uint8Array(10 + tab.length);
    big.set(tab, 10);
    expect(pcvalue(big, 10, 0x1000, 0x1005, 1)).toBe(8);
  });

  it('throws FormatError on a truncated table, never RangeError', () => {
    const cut = tab.subarray(0, 3); // ends inside the second pair
    expect(() => pcvalue(cut, 0, 0x1000, 0x1008, 1)).toThrow(FormatError);
    expect(() => pcvalue(Uint8Array.of(0x80, 0x80), 0, 0, 5, 1)).toThrow(FormatError);
    expect(() => pcvalue(tab, tab.length, 0, 5, 1)).toThrow(FormatError);
    expect(() => pcvalue(tab, -1, 0, 5, 1)).toThrow(FormatError);
  });

  it('rejects an endless varint', () => {
    const t = new Uint8Array(64).fill(0xff);
    expect(() => pcvalue(t, 0, 0, 5, 1)).toThrow(FormatError);
  });
});
