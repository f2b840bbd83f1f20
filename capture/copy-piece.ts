/**
 * One unit of the parallel copy (capture/copy.ts), run by whichever thread claims it — Node's main
 * thread or a copy worker (capture/copy-worker.ts). A copy job is a list of page-aligned ranges, each
 * with its place in a shared destination pool, grouped into pieces of about PIECE_BYTES; threads claim
 * pieces with an atomic counter. For each range of its piece a thread asks /proc/PID/pagemap which
 * pages are resident (when the job says so), reads those pages with process_vm_readv straight into the
 * pool, and marks each page copied or failed in a shared byte-per-page table, from which the main
 * thread rebuilds the copied runs.
 *
 * Why threads: on the 2-vCPU test VM process_vm_readv costs about 1 µs per page (pinning the target's
 * page, then the copy), whatever the run sizes, so a 10k-goroutine process's ~21k stack pages took
 * ~20 ms on one thread and ~10.5 ms on two. The target is stopped, so its CPUs are free.
 */
import type { PagemapScanner, PageRun } from './pagemap.ts';
import type { Sys } from './ptrace.ts';

export const IOV_MAX = 1024;
/** Bytes of ranges grouped into one piece (one claim, usually one process_vm_readv call). */
export const PIECE_BYTES = 1 << 20;

/** Page states in the job's page table (indexed by pool page). */
export const PAGE_NOT_COPIED = 0;
export const PAGE_COPIED = 1;
export const PAGE_FAILED = 2;

/** Indexes into the copier's control words (Int32Array shared with every worker). */
export const CTL = {
  /** Bumped by the main thread for each new job (workers wait on it). */
  generation: 0,
  /** Set before the last bump: workers exit. */
  quit: 1,
  /** Workers ready (each adds 1), or −1 when one could not start. */
  ready: 2,
  size: 4,
} as const;

/**
 * Indexes into a job's own control words. They live in the job, not in the copier's control words,
 * so a worker that picks up a job late (or a stale one) can only find its counter exhausted.
 */
export const JOB = {
  /** Next piece to claim (Atomics.add). */
  next: 0,
  /** Pieces finished (Atomics.add; the main thread waits on it). */
  done: 1,
  /** FLAG_GONE | FLAG_DENIED, set by any thread. */
  flags: 2,
  size: 4,
} as const;

export const FLAG_GONE = 1;
export const FLAG_DENIED = 2;

/** Piece states (Int32Array per job). */
export const PIECE_CLAIMED = 1;
export const PIECE_DONE = 2;

/** A job as every thread sees it: typed arrays over SharedArrayBuffers. */
export interface CopyJob {
  readonly pid: number;
  readonly pageSize: number;
  /** Consult pagemap (only resident pages are read) or copy every page of the ranges. */
  readonly scan: boolean;
  /** Destination; a range's bytes go to pool[poolOff, poolOff + len). */
  readonly pool: Uint8Array;
  /** One byte per pool page: PAGE_*. */
  readonly pages: Uint8Array;
  /** [addr, len, poolOff] per range. */
  readonly ranges: Float64Array;
  /** [firstRange, rangeCount] per piece. */
  readonly pieces: Int32Array;
  /** PIECE_CLAIMED / PIECE_DONE per piece. */
  readonly pieceState: Int32Array;
  /** JOB.* words. */
  readonly ctl: Int32Array;
}

/** The message that hands a job to the workers (all shared, nothing copied). */
export interface CopyJobMessage {
  readonly pid: number;
  readonly pageSize: number;
  readonly scan: boolean;
  readonly pool: SharedArrayBuffer;
  readonly pages: SharedArrayBuffer;
  readonly ranges: SharedArrayBuffer;
  readonly pieces: SharedArrayBuffer;
  readonly pieceState: SharedArrayBuffer;
  readonly ctl: SharedArrayBuffer;
}

export function jobFromMessage(m: CopyJobMessage): CopyJob {
  return {
    pid: m.pid,
    pageSize: m.pageSize,
    scan: m.scan,
    pool: new Uint8Array(m.pool),
    pages: new Uint8Array(m.pages),
    ranges: new Float64Array(m.ranges),
    pieces: new Int32Array(m.pieces),
    pieceState: new Int32Array(m.pieceState),
    ctl: new Int32Array(m.ctl),
  };
}

/** Per-thread scratch: iovec arrays and the pool's address. */
export class PieceCopier {
  private readonly sys: Sys;
  private readonly scanner: PagemapScanner | undefined;
  private readonly local = Buffer.alloc(IOV_MAX * 16);
  private readonly remote = Buffer.alloc(IOV_MAX * 16);
  private readonly l32 = new Uint32Array(this.local.buffer, this.local.byteOffset, IOV_MAX * 4);
  private readonly r32 = new Uint32Array(this.remote.buffer, this.remote.byteOffset, IOV_MAX * 4);
  private readonly present: PageRun[] = [];
  private readonly spans: [number, number][] = [];
  /** [addr, len, poolOff] of the segments of the piece being copied. */
  private segs: number[] = [];

  constructor(sys: Sys, scanner: PagemapScanner | undefined) {
    this.sys = sys;
    this.scanner = scanner;
    this.local.fill(0);
    this.remote.fill(0);
  }

  /** Claims and copies pieces until none is left. */
  run(job: CopyJob): void {
    const n = job.pieces.length / 2;
    const poolBase = Number(this.sys.address(job.pool));
    for (;;) {
      const i = Atomics.add(job.ctl, JOB.next, 1);
      if (i >= n) return;
      this.copyPiece(job, i, poolBase);
    }
  }

  /** Copies piece i (also used by the main thread to redo a piece a worker never finished). */
  copyPiece(job: CopyJob, i: number, poolBase = Number(this.sys.address(job.pool))): void {
    Atomics.store(job.pieceState, i, PIECE_CLAIMED);
    if ((Atomics.load(job.ctl, JOB.flags) & (FLAG_GONE | FLAG_DENIED)) === 0) this.copySegments(job, i, poolBase);
    Atomics.store(job.pieceState, i, PIECE_DONE);
    Atomics.add(job.ctl, JOB.done, 1);
    Atomics.notify(job.ctl, JOB.done);
  }

  private copySegments(job: CopyJob, piece: number, poolBase: number): void {
    const segs = this.segs;
    segs.length = 0;
    const first = job.pieces[piece * 2]!;
    const count = job.pieces[piece * 2 + 1]!;
    if (!job.scan || this.scanner === undefined) {
      for (let r = first; r < first + count; r++) segs.push(job.ranges[r * 3]!, job.ranges[r * 3 + 1]!, job.ranges[r * 3 + 2]!);
    } else {
      const spans = this.spans;
      spans.length = 0;
      for (let r = first; r < first + count; r++) spans.push([job.ranges[r * 3]!, job.ranges[r * 3]! + job.ranges[r * 3 + 1]!]);
      const present = this.present;
      present.length = 0;
      this.scanner.scanRanges(spans, present);
      // Present runs come out in range order, each inside one range: map them to pool offsets.
      let r = first;
      for (const p of present) {
        while (job.ranges[r * 3]! + job.ranges[r * 3 + 1]! <= p.addr) r++;
        segs.push(p.addr, p.len, job.ranges[r * 3 + 2]! + (p.addr - job.ranges[r * 3]!));
      }
    }
    for (let s = 0; s < segs.length; s += IOV_MAX * 3) this.copyBatch(job, poolBase, s, Math.min(segs.length, s + IOV_MAX * 3));
  }

  /** One process_vm_readv for segs[from, to); on a short read, the rest one segment at a time. */
  private copyBatch(job: CopyJob, poolBase: number, from: number, to: number): void {
    const sys = this.sys;
    const segs = this.segs;
    const n = (to - from) / 3;
    let want = 0;
    for (let k = 0; k < n; k++) {
      const s = from + k * 3;
      put(this.l32, k * 4, poolBase + segs[s + 2]!);
      put(this.l32, k * 4 + 2, segs[s + 1]!);
      put(this.r32, k * 4, segs[s]!);
      put(this.r32, k * 4 + 2, segs[s + 1]!);
      want += segs[s + 1]!;
    }
    const got = sys.processVmReadv(job.pid, this.local, n, this.remote, n);
    if (got === want) {
      for (let s = from; s < to; s += 3) mark(job, segs[s + 2]!, segs[s + 1]!, PAGE_COPIED);
      return;
    }
    if (got < 0 && this.fatal(job)) return;
    // The transfer stops at the first unreadable byte: keep the segments that arrived whole and
    // retry the others alone (a mapping can vanish only while the target runs: --nonblocking).
    let whole = Math.max(got, 0);
    for (let s = from; s < to; s += 3) {
      const len = segs[s + 1]!;
      if (whole >= len) {
        mark(job, segs[s + 2]!, len, PAGE_COPIED);
        whole -= len;
        continue;
      }
      whole = 0;
      put(this.l32, 0, poolBase + segs[s + 2]!);
      put(this.l32, 2, len);
      put(this.r32, 0, segs[s]!);
      put(this.r32, 2, len);
      const one = sys.processVmReadv(job.pid, this.local, 1, this.remote, 1);
      if (one < 0 && this.fatal(job)) return;
      const keep = one > 0 ? one - (one % job.pageSize) : 0;
      mark(job, segs[s + 2]!, keep, PAGE_COPIED);
      mark(job, segs[s + 2]! + keep, len - keep, PAGE_FAILED);
    }
  }

  /** ESRCH (process gone) and EPERM (not allowed) end the whole job. */
  private fatal(job: CopyJob): boolean {
    const e = this.sys.errno();
    const flag = e === this.sys.E['ESRCH'] ? FLAG_GONE : e === this.sys.E['EPERM'] ? FLAG_DENIED : 0;
    if (flag !== 0) Atomics.or(job.ctl, JOB.flags, flag);
    return flag !== 0;
  }
}

function mark(job: CopyJob, poolOff: number, len: number, state: number): void {
  if (len > 0) job.pages.fill(state, poolOff / job.pageSize, (poolOff + len) / job.pageSize);
}

/** A u64 as two u32 words of an iovec array (addresses are below 2^53). */
export function put(a: Uint32Array, i: number, v: number): void {
  a[i] = v % 0x1_0000_0000;
  a[i + 1] = Math.floor(v / 0x1_0000_0000);
}
