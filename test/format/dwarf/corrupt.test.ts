/**
 * Corruption on purpose (house H7): truncated and bit-flipped sections must give a FormatError or a
 * (possibly partial) index, never a TypeError/RangeError or a hang, including when the lazily
 * decoded types are walked afterwards.
 */
import { describe, expect, it } from 'vitest';
import { parseDwarf, type DwarfIndex, type DwarfType } from '../../../src/format/dwarf/index.ts';
import { FormatError } from '../../../src/base/errors.ts';
import { goDwarf } from './fixtures.ts';

/** Touches everything reachable from the index so lazy decoding runs too. */
function exercise(idx: DwarfIndex): void {
  const seen = new Set<DwarfType>();
  const visit = (t: DwarfType | undefined, depth: number): void => {
    if (t === undefined || seen.has(t) || depth > 50) return;
    seen.add(t);
    void t.count;
    t.resolve();
    visit(t.elem, depth + 1);
    for (const m of t.members ?? []) visit(m.type, depth + 1);
  };
  for (const n of ['runtime.g', 'runtime.gobuf', 'runtime.stack', 'internal/runtime/atomic.Uint32']) visit(idx.struct(n), 0);
  for (const n of ['*runtime.g', '[4]uint32', 'uint8']) visit(idx.typeByName(n), 0);
  for (const n of idx.variableNames) visit(idx.variable(n)!.type, 0);
}

function expectOnlyFormatErrors(run: () => void): 'ok' | 'format' {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return 'format';
  }
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each([
  [4, 4],
  [5, 4],
  [5, 8],
] as const)('corrupted DWARF %i (offset size %i)', (version, offsetSize) => {
  const good = goDwarf(version, offsetSize);

  it('truncating .debug_info at every byte', () => {
    const outcomes = new Set<string>();
    for (let n = 0; n < good.info.length; n++) {
      outcomes.add(expectOnlyFormatErrors(() => exercise(parseDwarf({ ...good, info: good.info.subarray(0, n) }))));
    }
    expect(outcomes.has('format')).toBe(true);
  });

  it('truncating .debug_abbrev at every byte', () => {
    for (let n = 0; n < good.abbrev.length; n++) {
      expectOnlyFormatErrors(() => exercise(parseDwarf({ ...good, abbrev: good.abbrev.subarray(0, n) })));
    }
  });

  it('2000 random byte corruptions of .debug_info and .debug_abbrev', () => {
    const r = rng(version * 100 + offsetSize);
    for (let i = 0; i < 2000; i++) {
      const info = good.info.slice();
      const abbrev = good.abbrev.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let k = 0; k < flips; k++) {
        const target = r() < 0.8 ? info : abbrev;
        target[Math.floor(r() * target.length)] = Math.floor(r() * 256);
      }
      expectOnlyFormatErrors(() => exercise(parseDwarf({ ...good, info, abbrev })));
    }
  });
});
