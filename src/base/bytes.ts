/**
 * Little-endian reads over Uint8Array without allocating a DataView per field. 64-bit values come
 * back as `number` when they fit in 2^53 (every user-space address on amd64/arm64 does) and as
 * `bigint` only from the `*Big` readers, which the raw-format edge uses for header fields.
 */

export function u8(b: Uint8Array, off: number): number {
  return b[off]!;
}

export function u16(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

export function u32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000;
}

export function i32(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24);
}

/**
 * Unsigned 64-bit as a number. Values above 2^53 lose precision, so they come back as NaN: callers
 * that read addresses treat NaN as "not an address" instead of silently reading a wrong one.
 */
export function u64(b: Uint8Array, off: number): number {
  const lo = u32(b, off);
  const hi = u32(b, off + 4);
  if (hi > 0x1fffff) return Number.NaN;
  return hi * 0x100000000 + lo;
}

/** Signed 64-bit as a number (NaN outside ±2^53). */
export function i64(b: Uint8Array, off: number): number {
  const lo = u32(b, off);
  const hi = i32(b, off + 4);
  if (hi > 0x1fffff || hi < -0x200000) return Number.NaN;
  return hi * 0x100000000 + lo;
}

export function u64Big(b: Uint8Array, off: number): bigint {
  return (BigInt(u32(b, off + 4)) << 32n) | BigInt(u32(b, off));
}

export function i64Big(b: Uint8Array, off: number): bigint {
  return BigInt.asIntN(64, u64Big(b, off));
}

/** NUL-terminated string starting at `off` (up to `max` bytes), decoded as UTF-8. */
export function cString(b: Uint8Array, off: number, max = 4096): string {
  let end = off;
  const limit = Math.min(b.length, off + max);
  while (end < limit && b[end] !== 0) end++;
  return utf8(b.subarray(off, end));
}

const decoder = new TextDecoder('utf-8');
export function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Unsigned LEB128. Returns [value, bytesRead]; bytesRead 0 means the input ended. */
export function uvarint(b: Uint8Array, off: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (off + i >= b.length) return [0, 0];
    const byte = b[off + i]!;
    result += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return [result, i + 1];
    mul *= 128;
  }
  return [0, 0];
}

/** Random access to the bytes of a (possibly huge) file or buffer. */
export interface ByteSource {
  readonly size: number;
  /** Bytes at [offset, offset+length); shorter only when the source ends first. */
  read(offset: number, length: number): Uint8Array;
  /** A human name for messages (file path or description). */
  readonly name: string;
}

export class BufferSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, name: string) {
    this.bytes = bytes;
    this.name = name;
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset, Math.min(this.size, offset + length));
  }
}
