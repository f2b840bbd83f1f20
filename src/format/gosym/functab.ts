/**
 * The functab: nfunc {entry, funcoff} pairs plus one trailing end entry, decoded once into typed arrays.
 * Mirrors golang/go src/runtime/symtab.go (`functab`, `findfunc`) and src/debug/gosym/pclntab.go
 * (`funcTab`, `findFunc`), go1.12–go1.27:
 *   ≤1.17: P-byte fields, entry = absolute link-time PC, funcoff from the blob base (≤1.15) or pcln table (1.16–1.17)
 *   1.18+: u32 fields, entry = offset from moduledata.text, funcoff from the pcln table.
 */
import { FormatError } from '../../base/errors.ts';
import { rdU32, rdWord, WHAT, type PclnHeader } from './header.ts';

export interface Functab {
  /** Runtime entry PCs; entries[nfunc] is the end of the last function. */
  readonly entries: Float64Array;
  /** Offsets of each `_func` record from data[0]. */
  readonly funcOffs: Float64Array;
}

export function decodeFunctab(data: Uint8Array, h: PclnHeader, textStart: number, linkBias: number): Functab {
  const n = h.nfunc;
  const entries = new Float64Array(n + 1);
  const funcOffs = new Float64Array(n);
  const P = h.ptrSize;
  const funcBase = h.era.version === '1.2' ? 0 : h.pcln;
  if (h.era.functabField === 'ptr') {
    for (let i = 0; i <= n; i++) {
      const o = h.functab + i * 2 * P;
      entries[i] = rdWord(data, o, P, 'functab entry') + linkBias;
      if (i < n) funcOffs[i] = funcBase + rdWord(data, o + P, P, 'functab funcoff');
    }
  } else {
    for (let i = 0; i <= n; i++) {
      const o = h.functab + i * 8;
      entries[i] = textStart + rdU32(data, o, 'functab entryoff');
      if (i < n) funcOffs[i] = funcBase + rdU32(data, o + 4, 'functab funcoff');
    }
  }
  for (let i = 0; i < n; i++) {
    if (entries[i + 1]! < entries[i]!) {
      throw new FormatError(WHAT, `functab not sorted at index ${i}`, h.functab + (i + 1) * (h.era.functabField === 'ptr' ? 2 * P : 8));
    }
    if (funcOffs[i]! >= data.length) throw new FormatError(WHAT, `funcoff of function ${i} beyond end of table`, h.functab);
  }
  return { entries, funcOffs };
}

/** Largest i with entries[i] ≤ pc, or −1 when pc is outside [entries[0], entries[n]). */
export function searchFunctab(entries: Float64Array, n: number, pc: number): number {
  if (n === 0 || !(pc >= entries[0]! && pc < entries[n]!)) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (entries[mid]! <= pc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
