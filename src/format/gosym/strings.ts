/**
 * Interned NUL-terminated strings of the pclntab (function names in funcnametab / the ≤1.15 blob, file
 * names in filetab). Mirrors `funcname`/`gostringnocopy` in golang/go src/runtime/symtab.go, go1.12–go1.27.
 */
import { FormatError } from '../../base/errors.ts';
import { utf8 } from '../../base/bytes.ts';
import { WHAT } from './header.ts';

export class StringTable {
  private readonly data: Uint8Array;
  private readonly base: number;
  private readonly what: string;
  private readonly cache = new Map<number, string>();

  constructor(data: Uint8Array, base: number, what: string) {
    this.data = data;
    this.base = base;
    this.what = what;
  }

  /** The string at base + off. Throws FormatError when off is outside the table or unterminated. */
  at(off: number): string {
    let s = this.cache.get(off);
    if (s !== undefined) return s;
    const start = this.base + off;
    const d = this.data;
    if (!(off >= 0 && start < d.length)) throw new FormatError(WHAT, `${this.what} offset 0x${off.toString(16)} out of range`, start);
    let end = start;
    let ascii = true;
    while (end < d.length) {
      const c = d[end]!;
      if (c === 0) break;
      if (c >= 0x80) ascii = false;
      end++;
    }
    if (end >= d.length) throw new FormatError(WHAT, `unterminated ${this.what} string`, start);
    if (ascii && end - start < 256) {
      s = String.fromCharCode.apply(null, d.subarray(start, end) as unknown as number[]);
    } else {
      s = utf8(d.subarray(start, end));
    }
    this.cache.set(off, s);
    return s;
  }
}
