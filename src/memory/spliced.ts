/**
 * A MemoryImage built from layers of regions where a later region wins over earlier ones wherever
 * they overlap: delve's pkg/proc/core `splicedMemory` (core PT_LOADs over the executable's). The
 * visible pieces are kept in one sorted, non-overlapping array and found by binary search; reads
 * that span adjacent pieces are stitched together.
 */
import { u32, u64 } from '../base/bytes.ts';
import { UnmappedAddressError } from '../base/errors.ts';
import type { MemoryImage, Region } from './image.ts';

/** A visible slice [start, end) of a region (reads still go through the region's `read`). */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly region: Region;
}

function piece(start: number, end: number, region: Region): Region & Piece {
  return { ...region, start, end, region };
}

export class SplicedImage implements MemoryImage {
  private pieces: (Region & Piece)[] = [];

  /** `layers` in order: regions of later layers (and later regions in a layer) win. */
  constructor(layers: readonly (readonly Region[])[] = []) {
    for (const layer of layers) for (const r of layer) this.add(r);
  }

  /** First index whose piece ends after `addr`. */
  private lowerBound(addr: number): number {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pieces[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Put `r` on top of everything added so far. Empty or non-finite ranges are ignored. */
  add(r: Region): void {
    if (!Number.isFinite(r.start) || !Number.isFinite(r.end) || r.end <= r.start) return;
    const i = this.lowerBound(r.start);
    let j = i;
    while (j < this.pieces.length && this.pieces[j]!.start < r.end) j++;
    const repl: (Region & Piece)[] = [];
    const first = this.pieces[i];
    if (j > i && first && first.start < r.start) repl.push(piece(first.start, r.start, first.region));
    repl.push(piece(r.start, r.end, r));
    const last = this.pieces[j - 1];
    if (j > i && last && last.end > r.end) repl.push(piece(r.end, last.end, last.region));
    this.pieces.splice(i, j - i, ...repl);
  }

  private find(addr: number): (Region & Piece) | undefined {
    const p = this.pieces[this.lowerBound(addr)];
    return p && p.start <= addr ? p : undefined;
  }

  isMapped(addr: number): boolean {
    return this.find(addr) !== undefined;
  }

  regions(): readonly Region[] {
    return this.pieces;
  }

  private readPiece(p: Region & Piece, addr: number, len: number): Uint8Array | undefined {
    if (!p.region.read) return new Uint8Array(len);
    const b = p.region.read(addr, len);
    return b.length === len ? b : undefined;
  }

  tryRead(addr: number, len: number): Uint8Array | undefined {
    if (!Number.isFinite(addr) || !(len >= 0)) return undefined;
    if (len === 0) return this.isMapped(addr) ? new Uint8Array(0) : undefined;
    let idx = this.lowerBound(addr);
    const p = this.pieces[idx];
    if (!p || p.start > addr) return undefined;
    const end = addr + len;
    if (end <= p.end) return this.readPiece(p, addr, len);
    // Spans pieces: they must be contiguous.
    const out = new Uint8Array(len);
    let cur = addr;
    while (cur < end) {
      const q = this.pieces[idx];
      if (!q || q.start > cur) return undefined;
      const n = Math.min(end, q.end) - cur;
      const b = this.readPiece(q, cur, n);
      if (!b) return undefined;
      out.set(b, cur - addr);
      cur += n;
      idx++;
    }
    return out;
  }

  read(addr: number, len: number, purpose = 'read'): Uint8Array {
    const b = this.tryRead(addr, len);
    if (!b) throw new UnmappedAddressError(addr, len, purpose);
    return b;
  }

  readU8(addr: number, purpose?: string): number {
    return this.read(addr, 1, purpose)[0]!;
  }
  readU32(addr: number, purpose?: string): number {
    return u32(this.read(addr, 4, purpose), 0);
  }
  readU64(addr: number, purpose?: string): number {
    return u64(this.read(addr, 8, purpose), 0);
  }
  readPtr(addr: number, purpose?: string): number {
    return u64(this.read(addr, 8, purpose), 0);
  }
}
