/**
 * pc-value table decoding: `pcvalue`/`step` in golang/go src/runtime/symtab.go (go1.12–go1.27) and
 * `(*LineTable).step` in src/debug/gosym/pclntab.go. The encoding has not changed since Go 1.2.
 *
 * A table is a sequence of (zig-zag value delta, pc delta × quantum) uvarint pairs, starting at value −1
 * and pc = entry. A first byte of 0 at a step other than the first ends the table.
 */
import { FormatError } from '../../base/errors.ts';

/**
 * Value in effect at `target` for the table at `off` inside `tab`, or −1 when the table ends before
 * `target` (or `target` < entry). Throws FormatError when the table runs off the end of `tab`.
 */
export function pcvalue(tab: Uint8Array, off: number, entry: number, target: number, quantum: number): number {
  if (off < 0 || off >= tab.length) throw new FormatError('pclntab pc-value table', 'offset out of range', off);
  let p = off;
  let val = -1;
  let pc = entry;
  let first = true;
  const n = tab.length;
  for (;;) {
    if (p >= n) throw new FormatError('pclntab pc-value table', 'table runs past end of data', off);
    let b = tab[p]!;
    if (b === 0 && !first) return -1;
    // value delta (uvarint, zig-zag); one-byte fast path
    let uv: number;
    if (b < 0x80) {
      uv = b;
      p++;
    } else {
      uv = 0;
      let mul = 1;
      do {
        if (p >= n || mul > 2 ** 35) throw new FormatError('pclntab pc-value table', 'bad varint', p);
        b = tab[p++]!;
        uv += (b & 0x7f) * mul;
        mul *= 128;
      } while (b & 0x80);
    }
    // zig-zag: odd → −(uv>>1)−1, even → uv>>1; uv < 2^35 so plain division is exact
    val += uv % 2 === 1 ? -(uv - 1) / 2 - 1 : uv / 2;
    if (p >= n) throw new FormatError('pclntab pc-value table', 'table runs past end of data', off);
    b = tab[p]!;
    let pd: number;
    if (b < 0x80) {
      pd = b;
      p++;
    } else {
      pd = 0;
      let mul = 1;
      do {
        if (p >= n || mul > 2 ** 35) throw new FormatError('pclntab pc-value table', 'bad varint', p);
        b = tab[p++]!;
        pd += (b & 0x7f) * mul;
        mul *= 128;
      } while (b & 0x80);
    }
    pc += pd * quantum;
    first = false;
    if (target < pc) return val;
  }
}

/** One run of a decoded table: `value` holds for pc in [start, end). */
export interface PcValueRun {
  start: number;
  end: number;
  value: number;
}

/** Decode a whole table (for tests and tooling). Bounded by the table's own bytes. */
export function pcvalueRuns(tab: Uint8Array, off: number, entry: number, quantum: number): PcValueRun[] {
  if (off < 0 || off >= tab.length) throw new FormatError('pclntab pc-value table', 'offset out of range', off);
  const out: PcValueRun[] = [];
  let p = off;
  let val = -1;
  let pc = entry;
  let first = true;
  const n = tab.length;
  for (;;) {
    if (p >= n) throw new FormatError('pclntab pc-value table', 'table runs past end of data', off);
    if (tab[p] === 0 && !first) return out;
    let uv = 0;
    let mul = 1;
    let b: number;
    do {
      if (p >= n || mul > 2 ** 35) throw new FormatError('pclntab pc-value table', 'bad varint', p);
      b = tab[p++]!;
      uv += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    val += uv % 2 === 1 ? -Math.floor(uv / 2) - 1 : uv / 2;
    let pd = 0;
    mul = 1;
    do {
      if (p >= n || mul > 2 ** 35) throw new FormatError('pclntab pc-value table', 'bad varint', p);
      b = tab[p++]!;
      pd += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    const start = pc;
    pc += pd * quantum;
    first = false;
    out.push({ start, end: pc, value: val });
  }
}

/** Encode runs back into a table (test helper; the inverse of pcvalueRuns for well-formed input). */
export function encodePcValue(pairs: readonly (readonly [valueDelta: number, pcDelta: number])[]): Uint8Array {
  const out: number[] = [];
  const uvar = (v: number): void => {
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
  };
  for (const [dv, dp] of pairs) {
    uvar(dv < 0 ? -2 * dv - 1 : 2 * dv);
    uvar(dp);
  }
  out.push(0);
  return Uint8Array.from(out);
}
