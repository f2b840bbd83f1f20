/**
 * A sticky-error cursor over a byte buffer, after Go's debug/dwarf `buf`: a read past the end records
 * one FormatError (with the offset) and returns 0, so record decoders check `err` once per record
 * instead of after every field.
 */
import { FormatError } from './errors.ts';
import { u16, u32, u64, u64Big, cString, uvarint } from './bytes.ts';

export class ByteCursor {
  readonly data: Uint8Array;
  readonly what: string;
  /** Offset of data[0] in the enclosing file/section, for messages. */
  readonly base: number;
  off: number;
  err: FormatError | undefined;
  constructor(data: Uint8Array, what: string, off = 0, base = 0) {
    this.data = data;
    this.what = what;
    this.base = base;
    this.off = off;
  }

  get remaining(): number {
    return this.data.length - this.off;
  }

  private need(n: number): boolean {
    if (this.err) return false;
    if (this.off + n > this.data.length || n < 0) {
      this.err = new FormatError(this.what, `unexpected end of data (needed ${n} bytes)`, this.base + this.off);
      this.off = this.data.length;
      return false;
    }
    return true;
  }

  fail(detail: string): void {
    if (!this.err) this.err = new FormatError(this.what, detail, this.base + this.off);
  }

  skip(n: number): void {
    if (this.need(n)) this.off += n;
  }
  u8(): number {
    if (!this.need(1)) return 0;
    return this.data[this.off++]!;
  }
  u16(): number {
    if (!this.need(2)) return 0;
    const v = u16(this.data, this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    if (!this.need(4)) return 0;
    const v = u32(this.data, this.off);
    this.off += 4;
    return v;
  }
  i32(): number {
    return this.u32() | 0;
  }
  u64(): number {
    if (!this.need(8)) return 0;
    const v = u64(this.data, this.off);
    this.off += 8;
    return v;
  }
  u64Big(): bigint {
    if (!this.need(8)) return 0n;
    const v = u64Big(this.data, this.off);
    this.off += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    if (!this.need(n)) return new Uint8Array(0);
    const v = this.data.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  cString(): string {
    if (this.err) return '';
    const end = this.data.indexOf(0, this.off);
    if (end < 0) {
      this.fail('unterminated string');
      return '';
    }
    const s = cString(this.data, this.off, end - this.off + 1);
    this.off = end + 1;
    return s;
  }
  uleb(): number {
    if (this.err) return 0;
    const [v, n] = uvarint(this.data, this.off);
    if (n === 0) {
      this.fail('bad LEB128');
      return 0;
    }
    this.off += n;
    return v;
  }
  sleb(): number {
    if (this.err) return 0;
    let result = 0;
    let mul = 1;
    let byte = 0;
    for (;;) {
      if (this.off >= this.data.length) {
        this.fail('bad LEB128');
        return 0;
      }
      byte = this.data[this.off++]!;
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) break;
    }
    if (byte & 0x40) result -= mul;
    return result;
  }
}
