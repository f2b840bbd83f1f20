/** Typed reads over TargetMemory (little-endian, 64-bit targets). */
import { u32, u64, i64, utf8 } from '../base/bytes.ts';
import type { TargetMemory } from './target.ts';

export class Mem {
  readonly raw: TargetMemory;
  constructor(raw: TargetMemory) {
    this.raw = raw;
  }
  u8(addr: number, purpose: string): number {
    return this.raw.read(addr, 1, purpose)[0]!;
  }
  u32(addr: number, purpose: string): number {
    return u32(this.raw.read(addr, 4, purpose), 0);
  }
  u64(addr: number, purpose: string): number {
    return u64(this.raw.read(addr, 8, purpose), 0);
  }
  i64(addr: number, purpose: string): number {
    return i64(this.raw.read(addr, 8, purpose), 0);
  }
  ptr(addr: number, purpose: string): number {
    const v = this.u64(addr, purpose);
    return Number.isNaN(v) ? 0 : v;
  }
  tryPtr(addr: number): number | undefined {
    const b = this.raw.tryRead(addr, 8);
    if (!b) return undefined;
    const v = u64(b, 0);
    return Number.isNaN(v) ? undefined : v;
  }
  /** A Go string header {ptr, len} at addr. */
  goString(addr: number, purpose: string, maxLen = 1 << 16): string {
    const p = this.ptr(addr, purpose);
    const n = this.u64(addr + 8, purpose);
    if (p === 0 || !(n > 0)) return '';
    return utf8(this.raw.read(p, Math.min(n, maxLen), purpose));
  }
}
