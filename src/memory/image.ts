/**
 * The address-space view gospy reads a target through. It knows nothing about Go: only which
 * address ranges hold which bytes. Addresses are numbers (every user-space address on amd64/arm64 is
 * below 2^53); reads of unmapped addresses throw UnmappedAddressError.
 */
import type { ByteSource } from '../base/bytes.ts';

/** Where a region's bytes come from, for messages and `explain`-style output. */
export type RegionOrigin = 'exe' | 'exe-file' | 'core' | 'zero' | 'synthetic';

export interface Region {
  /** First address. */
  readonly start: number;
  /** One past the last address. */
  readonly end: number;
  readonly origin: RegionOrigin;
  /** A short description, e.g. "core PT_LOAD #12" or "exe PT_LOAD #1 (.bss zero-fill)". */
  readonly label: string;
  /**
   * Bytes at [addr, addr+len), which lie inside [start, end). Undefined for zero-fill regions.
   * May return fewer bytes than asked only if the backing file ends early.
   */
  readonly read?: (addr: number, len: number) => Uint8Array;
}

export interface MemoryImage {
  /** Bytes at [addr, addr+len). Throws UnmappedAddressError naming `purpose` if any byte is unmapped. */
  read(addr: number, len: number, purpose?: string): Uint8Array;
  /** Like read, but undefined instead of throwing. */
  tryRead(addr: number, len: number): Uint8Array | undefined;
  readU8(addr: number, purpose?: string): number;
  readU32(addr: number, purpose?: string): number;
  /** Unsigned 64-bit as a number; NaN when it does not fit 2^53 (not an address). */
  readU64(addr: number, purpose?: string): number;
  /** A pointer-sized word (8 bytes on amd64/arm64) as a number; NaN when it does not fit 2^53. */
  readPtr(addr: number, purpose?: string): number;
  isMapped(addr: number): boolean;
  /** The visible regions, sorted by address, non-overlapping. */
  regions(): readonly Region[];
}

/** Bytes of `src` from `fileOff` at [start, end), cut to what the file really has. */
export function fileRegion(src: ByteSource, start: number, end: number, fileOff: number, origin: RegionOrigin, label: string): Region | undefined {
  const avail = Math.min(end - start, src.size - fileOff);
  if (!(avail > 0)) return undefined;
  return {
    start,
    end: start + avail,
    origin,
    label,
    read: (addr, len) => src.read(fileOff + (addr - start), len),
  };
}
