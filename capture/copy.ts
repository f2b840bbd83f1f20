/**
 * Copying page runs with process_vm_readv into a pool that was allocated and touched before the
 * freeze (an untouched destination costs 2–4× in throughput, capture-core.md §4.2). Up to IOV_MAX
 * (1024) iovecs per call; on a short transfer the rest is retried one run at a time (a mapping can
 * only vanish while the target runs, i.e. in --nonblocking mode).
 */
import { loadSys, type Sys } from './ptrace.ts';
import type { PageRun } from './pagemap.ts';

const IOV_MAX = 1024;

export interface CopiedRun {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

export interface CopyResult {
  readonly runs: CopiedRun[];
  readonly bytes: number;
  /** Bytes of runs that could not be read (vanished while running). */
  readonly missedBytes: number;
  /** process_vm_readv said ESRCH: the process is gone. */
  readonly gone: boolean;
  /** process_vm_readv said EPERM: not allowed to read the process. */
  readonly denied?: boolean | undefined;
}

/** A destination pool plus the iovec scratch buffers; create it before freezing. */
export class CopyPool {
  private readonly sys: Sys;
  private pool: Buffer;
  private used = 0;
  private readonly local = Buffer.alloc(IOV_MAX * 16);
  private readonly remote = Buffer.alloc(IOV_MAX * 16);

  constructor(bytes: number) {
    this.sys = loadSys();
    this.pool = Buffer.allocUnsafeSlow(Math.max(bytes, 1 << 20));
    this.pool.fill(0); // fault every page in now, not during the freeze
    this.local.fill(0);
    this.remote.fill(0);
  }

  /** Reuse the whole pool (what earlier copies returned is overwritten): after a warm-up copy. */
  reset(): void {
    this.used = 0;
  }

  private take(len: number): Buffer {
    if (this.used + len > this.pool.length) {
      // The target grew since we sized the pool: a fresh buffer (slower, but correct).
      this.pool = Buffer.allocUnsafeSlow(Math.max(len, 64 << 20));
      this.used = 0;
    }
    const b = this.pool.subarray(this.used, this.used + len);
    this.used += len;
    return b;
  }

  copy(pid: number, runs: readonly PageRun[]): CopyResult {
    const sys = this.sys;
    const out: CopiedRun[] = [];
    let total = 0;
    let missed = 0;
    for (let i = 0; i < runs.length; ) {
      const n = Math.min(IOV_MAX, runs.length - i);
      const dests: Buffer[] = [];
      let want = 0;
      for (let k = 0; k < n; k++) {
        const r = runs[i + k]!;
        const d = this.take(r.len);
        dests.push(d);
        this.local.writeBigUInt64LE(sys.address(d), k * 16);
        this.local.writeBigUInt64LE(BigInt(r.len), k * 16 + 8);
        this.remote.writeBigUInt64LE(BigInt(r.addr), k * 16);
        this.remote.writeBigUInt64LE(BigInt(r.len), k * 16 + 8);
        want += r.len;
      }
      const got = sys.processVmReadv(pid, this.local, n, this.remote, n);
      if (got < 0) {
        const e = sys.errno();
        if (e === sys.E['ESRCH']) return { runs: out, bytes: total, missedBytes: missed, gone: true };
        if (e === sys.E['EPERM']) return { runs: out, bytes: total, missedBytes: missed, gone: false, denied: true };
      }
      if (got === want) {
        for (let k = 0; k < n; k++) out.push({ addr: runs[i + k]!.addr, bytes: dests[k]! });
        total += want;
      } else {
        // Keep the runs that arrived whole, retry the others alone.
        let done = Math.max(got, 0);
        for (let k = 0; k < n; k++) {
          const r = runs[i + k]!;
          const d = dests[k]!;
          if (done >= r.len) {
            out.push({ addr: r.addr, bytes: d });
            total += r.len;
            done -= r.len;
            continue;
          }
          done = 0;
          this.local.writeBigUInt64LE(sys.address(d), 0);
          this.local.writeBigUInt64LE(BigInt(r.len), 8);
          this.remote.writeBigUInt64LE(BigInt(r.addr), 0);
          this.remote.writeBigUInt64LE(BigInt(r.len), 8);
          const one = sys.processVmReadv(pid, this.local, 1, this.remote, 1);
          if (one < 0 && sys.errno() === sys.E['ESRCH']) return { runs: out, bytes: total, missedBytes: missed, gone: true };
          if (one > 0) {
            const keep = one - (one % 4096);
            if (keep > 0) out.push({ addr: r.addr, bytes: d.subarray(0, keep) });
            total += keep;
            missed += r.len - keep;
          } else {
            missed += r.len;
          }
        }
      }
      i += n;
    }
    return { runs: out, bytes: total, missedBytes: missed, gone: false };
  }
}
