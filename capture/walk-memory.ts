/**
 * The memories `--mode goroutines` walks (capture/goroutines.ts): the running or stopped process
 * read live through process_vm_readv, recording every range that was read (the plan), and the
 * frozen copy, which serves what it holds and remembers what it had to read live (what the plan
 * missed). Both hand the walk's hot loop whole runs (`window`) so it reads g structs without a
 * slice per g.
 */
import { UnmappedAddressError } from '../src/base/errors.ts';
import type { TargetMemory } from '../src/runtime/target.ts';
import { IOV_MAX, put } from './copy-piece.ts';
import type { CopiedRun } from './copy.ts';
import type { PageRun } from './pagemap.ts';
import { loadSys, type Sys } from './ptrace.ts';

/** Live reads of a process through process_vm_readv, recording every range that was read. */
export class LiveMemory implements TargetMemory {
  private readonly sys: Sys;
  private readonly pid: number;
  private readonly iov = Buffer.alloc(IOV_MAX * 16);
  private readonly riov = Buffer.alloc(IOV_MAX * 16);
  private cache = new Map<number, Uint8Array>();
  /** [start, end) of every successful read since the last reset. */
  recorded: [number, number][] = [];

  constructor(pid: number) {
    this.sys = loadSys();
    this.pid = pid;
  }

  reset(): void {
    this.recorded = [];
    this.cache = new Map();
  }

  read(addr: number, len: number, purpose?: string): Uint8Array {
    const b = this.tryRead(addr, len);
    if (!b) throw new UnmappedAddressError(addr, len, purpose ?? 'memory');
    return b;
  }

  windowBase = 0;

  window(addr: number, len: number): Uint8Array | undefined {
    this.windowBase = addr;
    return this.tryRead(addr, len);
  }

  tryRead(addr: number, len: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr <= 0 || len < 0 || len > 1 << 30) return undefined;
    if (len === 0) return new Uint8Array(0);
    const hit = this.cache.get(addr);
    if (hit && hit.length >= len) {
      this.recorded.push([addr, addr + len]);
      return hit.subarray(0, len);
    }
    const d = Buffer.allocUnsafe(len);
    const sys = this.sys;
    this.iov.writeBigUInt64LE(sys.address(d), 0);
    this.iov.writeBigUInt64LE(BigInt(len), 8);
    this.riov.writeBigUInt64LE(BigInt(addr), 0);
    this.riov.writeBigUInt64LE(BigInt(len), 8);
    if (sys.processVmReadv(this.pid, this.iov, 1, this.riov, 1) !== len) return undefined;
    this.recorded.push([addr, addr + len]);
    return d;
  }

  /** Read many small ranges in batches (IOV_MAX per call) so later reads of them are cache hits. */
  prefetch(addrs: readonly number[], len: number): void {
    const sys = this.sys;
    const l32 = new Uint32Array(this.iov.buffer, this.iov.byteOffset, IOV_MAX * 4);
    const r32 = new Uint32Array(this.riov.buffer, this.riov.byteOffset, IOV_MAX * 4);
    for (let i = 0; i < addrs.length; i += IOV_MAX) {
      const n = Math.min(IOV_MAX, addrs.length - i);
      const pool = Buffer.allocUnsafeSlow(n * len);
      const base = Number(sys.address(pool));
      for (let k = 0; k < n; k++) {
        put(l32, k * 4, base + k * len);
        put(l32, k * 4 + 2, len);
        put(r32, k * 4, addrs[i + k]!);
        put(r32, k * 4 + 2, len);
      }
      const got = sys.processVmReadv(this.pid, this.iov, n, this.riov, n);
      // The transfer stops at the first unreadable range: keep those that arrived whole.
      const whole = got > 0 ? Math.floor(got / len) : 0;
      for (let k = 0; k < whole; k++) this.cache.set(addrs[i + k]!, pool.subarray(k * len, (k + 1) * len));
    }
  }
}

export interface WalkMemory extends TargetMemory {
  prefetch(addrs: readonly number[], len: number): void;
  /**
   * Bytes holding [addr, addr + len) without slicing (the walk's hot loop reads 10^4–10^5 g structs
   * inside the freeze): byte 0 of the result is at address `windowBase`.
   */
  window(addr: number, len: number): Uint8Array | undefined;
  readonly windowBase: number;
}

/**
 * The frozen copy as memory: reads inside a copied run are served from it; any other read goes to
 * the (stopped) process and is remembered in `missing`, to be copied as well.
 */
export class CopiedMemory implements WalkMemory {
  private readonly runs: readonly CopiedRun[];
  private readonly starts: Float64Array;
  private readonly planned: readonly PageRun[];
  private readonly plannedStarts: Float64Array;
  private readonly live: LiveMemory;
  readonly missing: [number, number][] = [];

  /** `runs` (copied) and `planned` sorted by address, not overlapping. */
  constructor(runs: readonly CopiedRun[], planned: readonly PageRun[], live: LiveMemory) {
    this.runs = runs;
    this.starts = Float64Array.from(runs, (r) => r.addr);
    this.planned = planned;
    this.plannedStarts = Float64Array.from(planned, (r) => r.addr);
    this.live = live;
  }

  private lastRun = 0;

  /** Index of the last of `s` at or below addr, or -1. */
  private find(addr: number, s: Float64Array = this.starts): number {
    let lo = 0;
    let hi = s.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= addr) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return at;
  }

  /**
   * Whether [lo, hi) lies within the planned runs (adjacent runs count as one): its resident pages
   * were copied, and the others read as the snapshot has them (absent, or the executable's bytes).
   */
  covers(lo: number, hi: number): boolean {
    const p = this.planned;
    let i = this.find(lo, this.plannedStarts);
    if (i < 0) return false;
    let end = p[i]!.addr + p[i]!.len;
    if (end <= lo) return false;
    while (end < hi) {
      i++;
      if (i >= p.length || p[i]!.addr !== end) return false;
      end += p[i]!.len;
    }
    return true;
  }

  read(addr: number, len: number, purpose?: string): Uint8Array {
    const b = this.tryRead(addr, len);
    if (!b) throw new UnmappedAddressError(addr, len, purpose ?? 'memory');
    return b;
  }

  tryRead(addr: number, len: number): Uint8Array | undefined {
    const w = this.window(addr, len);
    if (!w) return undefined;
    const off = addr - this.windowBase;
    return off === 0 && w.length === len ? w : w.subarray(off, off + len);
  }

  windowBase = 0;

  /** `live` false: only the copy is looked at (undefined when it lacks the bytes). */
  window(addr: number, len: number, live = true): Uint8Array | undefined {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr <= 0 || len < 0 || len > 1 << 30) return undefined;
    // Most reads fall in the run of the previous one (g structs are allocated together).
    let r: CopiedRun | undefined = this.runs[this.lastRun];
    if (r === undefined || addr < r.addr || addr - r.addr + len > r.bytes.length) {
      const i = this.find(addr);
      r = i >= 0 ? this.runs[i] : undefined;
      if (r !== undefined) this.lastRun = i;
    }
    if (r !== undefined && addr - r.addr + len <= r.bytes.length) {
      this.windowBase = r.addr;
      return r.bytes;
    }
    if (!live) return undefined;
    const b = this.live.tryRead(addr, len);
    if (b && len > 0) this.missing.push([addr, addr + len]);
    this.windowBase = addr;
    return b;
  }

  prefetch(addrs: readonly number[], len: number): void {
    // Only what the copy lacks is read from the (stopped) process, in one batch.
    const out = addrs.filter((a) => this.window(a, len, false) === undefined);
    if (out.length > 0) this.live.prefetch(out, len);
  }
}
