/**
 * Copying page runs of the target into a pool that was allocated and touched before the freeze (an
 * untouched destination costs 2–4× in throughput, docs/capture.md), on Node's main thread and
 * on copy workers at once (capture/copy-piece.ts says why, capture/copy-worker.ts how they are
 * driven). The pool is shared memory, so the workers read straight into it; the copied runs handed
 * back are views of it.
 *
 * Workers start in the constructor, outside the pause (~80 ms each). Inside the pause `copy` only
 * writes the job into shared memory, wakes them with one Atomics.notify, copies pieces itself, and
 * waits for the last piece. Without workers (one CPU, `threads: 0`, or a worker that failed to
 * start) the main thread does every piece: the same code, just slower.
 */
import * as os from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import {
  CTL,
  FLAG_DENIED,
  FLAG_GONE,
  JOB,
  PAGE_COPIED,
  PAGE_FAILED,
  PAGE_NOT_COPIED,
  PIECE_BYTES,
  PIECE_DONE,
  PieceCopier,
  jobFromMessage,
  type CopyJob,
  type CopyJobMessage,
} from './copy-piece.ts';
import { PagemapScanner, type PageRun } from './pagemap.ts';
import { loadSys, type Sys } from './ptrace.ts';

// A clone runs the TypeScript source; the built package (build/build.ts) has the worker as
// copy-worker.mjs beside the chunk that holds this module.
const COPY_WORKER = import.meta.url.endsWith('.ts') ? './copy-worker.ts' : './copy-worker.mjs';

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

export interface CopierOptions {
  /** Copy workers besides the main thread (default: CPUs − 1, at most 3). */
  readonly threads?: number | undefined;
  readonly pageSize?: number | undefined;
}

/** A job `start` handed to the workers, for `finish`. */
export interface CopyJobHandle {
  readonly job: CopyJob;
  readonly ranges: Float64Array;
  /** Per range: 1 when it continues the caller's run the range before belongs to. */
  readonly continues: Uint8Array;
  readonly pieces: number;
}

/** How long the main thread waits for a worker to start, and for a worker's last piece. */
const WORKER_START_MS = 5000;
const WORKER_PIECE_MS = 2000;

/** Default number of copy workers: the other CPUs (the target's threads are stopped), at most 3. */
export function defaultCopyThreads(): number {
  return Math.max(0, Math.min(os.availableParallelism() - 1, 3));
}

export class Copier {
  private readonly pid: number;
  private readonly pageSize: number;
  private pool: SharedArrayBuffer;
  private pages: SharedArrayBuffer;
  private used = 0;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL.size * 4));
  private readonly workers: { worker: Worker; port: MessagePort }[] = [];
  private readonly scanner: PagemapScanner;
  private readonly main: PieceCopier;

  /** Allocates and touches a pool of `poolBytes`, opens pagemap, starts the workers. */
  constructor(pid: number, poolBytes: number, opts: CopierOptions = {}) {
    this.pid = pid;
    this.pageSize = opts.pageSize ?? 4096;
    const sys = loadSys();
    this.pool = touched(roundUp(Math.max(poolBytes, 1 << 20), this.pageSize), sys);
    this.pages = new SharedArrayBuffer(this.pool.byteLength / this.pageSize);
    this.scanner = new PagemapScanner(pid, this.pageSize);
    this.main = new PieceCopier(sys, this.scanner);
    this.startWorkers(opts.threads ?? defaultCopyThreads());
  }

  /** Copy workers running (0 when none could start). */
  get threads(): number {
    return this.workers.length;
  }

  private startWorkers(n: number): void {
    if (n <= 0) return;
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL(COPY_WORKER, import.meta.url), {
        workerData: { pid: this.pid, pageSize: this.pageSize, ctl: this.ctl.buffer, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      // A worker that fails to load reports it through ctl[ready]; this only keeps Node from
      // treating the error event as unhandled.
      worker.on('error', () => undefined);
      this.workers.push({ worker, port: port1 });
    }
    const deadline = performance.now() + WORKER_START_MS;
    for (;;) {
      const ready = Atomics.load(this.ctl, CTL.ready);
      if (ready < 0 || ready >= n) break;
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(this.ctl, CTL.ready, ready, left);
    }
    if (Atomics.load(this.ctl, CTL.ready) !== n) this.stopWorkers();
  }

  private stopWorkers(): void {
    Atomics.store(this.ctl, CTL.quit, 1);
    Atomics.add(this.ctl, CTL.generation, 1);
    Atomics.notify(this.ctl, CTL.generation);
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate().catch(() => undefined);
    }
    this.workers.length = 0;
  }

  /** Reuse the whole pool (what earlier copies returned is overwritten): after a warm-up copy. */
  reset(): void {
    this.used = 0;
  }

  /**
   * Copies `runs` (page-aligned, sorted, not overlapping). With `scan`, only the pages pagemap says
   * are resident or swapped; without, every page (the caller scanned already).
   */
  copy(runs: readonly PageRun[], opts: { readonly scan: boolean }): CopyResult {
    return this.finish(this.start(runs, opts));
  }

  /**
   * Hands `runs` to the workers and returns at once, so the main thread can do other work inside the
   * pause while they copy; `finish` then joins in and returns the result. Without workers nothing
   * is copied until `finish`. Jobs must be finished in the order they were started.
   */
  start(runs: readonly PageRun[], opts: { readonly scan: boolean }): CopyJobHandle {
    const ps = this.pageSize;
    let total = 0;
    for (const r of runs) total += r.len;
    if (this.used + total > this.pool.byteLength) {
      // The target grew since the pool was sized: a fresh pool (touched now, in the pause: slower, but correct).
      this.pool = touched(roundUp(Math.max(total, 64 << 20), ps), loadSys());
      this.pages = new SharedArrayBuffer(this.pool.byteLength / ps);
      this.used = 0;
    }
    const base = this.used;
    const { ranges, pieces, continues } = cutIntoPieces(runs, base, ps);
    this.used += total;
    const n = pieces.length / 2;
    const msg: CopyJobMessage = {
      pid: this.pid,
      pageSize: ps,
      scan: opts.scan,
      pool: this.pool,
      pages: this.pages,
      ranges: shared(ranges),
      pieces: shared(pieces),
      pieceState: new SharedArrayBuffer(Math.max(n, 1) * 4),
      ctl: new SharedArrayBuffer(JOB.size * 4),
    };
    const job = jobFromMessage(msg);
    job.pages.fill(PAGE_NOT_COPIED, base / ps, (base + total) / ps);
    if (n > 0 && this.workers.length > 0) {
      for (const w of this.workers) w.port.postMessage(msg);
      Atomics.add(this.ctl, CTL.generation, 1);
      Atomics.notify(this.ctl, CTL.generation);
    }
    return { job, ranges, continues, pieces: n };
  }

  /** Copies what is left of a started job on this thread, waits for the workers' pieces, returns the result. */
  finish(handle: CopyJobHandle): CopyResult {
    this.main.run(handle.job);
    this.awaitPieces(handle.job, handle.pieces);
    return collect(handle.job, handle.ranges, handle.continues);
  }

  /** Waits for the pieces workers claimed; redoes any a worker did not finish in time. */
  private awaitPieces(job: CopyJob, n: number): void {
    const deadline = performance.now() + WORKER_PIECE_MS;
    for (;;) {
      const done = Atomics.load(job.ctl, JOB.done);
      if (done >= n) return;
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(job.ctl, JOB.done, done, left);
    }
    for (let i = 0; i < n; i++) if (Atomics.load(job.pieceState, i) !== PIECE_DONE) this.main.copyPiece(job, i);
  }

  /** Stops the workers and closes pagemap; the copied runs stay valid. */
  close(): void {
    this.stopWorkers();
    this.scanner.close();
  }
}

/**
 * Ranges of at most PIECE_BYTES, each with its pool offset (consecutive from `base`), grouped into
 * pieces of about PIECE_BYTES. `runs` must be page-aligned, sorted and not overlapping.
 */
function cutIntoPieces(runs: readonly PageRun[], base: number, pageSize: number): { ranges: Float64Array; pieces: Int32Array; continues: Uint8Array } {
  const ranges: number[] = [];
  const pieces: number[] = [];
  const continues: number[] = [];
  let off = base;
  let pieceStart = 0;
  let pieceBytes = 0;
  const close = (): void => {
    const count = ranges.length / 3 - pieceStart;
    if (count > 0) pieces.push(pieceStart, count);
    pieceStart = ranges.length / 3;
    pieceBytes = 0;
  };
  let prevEnd = 0;
  for (const r of runs) {
    if (r.addr % pageSize !== 0 || r.len % pageSize !== 0) throw new RangeError(`copy run 0x${r.addr.toString(16)}+${r.len} is not page-aligned`);
    // Pieces scan pagemap range by range in address order (PagemapScanner.scanRanges).
    if (r.addr < prevEnd) throw new RangeError(`copy run 0x${r.addr.toString(16)} is out of order or overlaps the one before`);
    prevEnd = r.addr + r.len;
    for (let a = r.addr; a < r.addr + r.len; ) {
      const len = Math.min(r.addr + r.len - a, PIECE_BYTES - pieceBytes);
      ranges.push(a, len, off);
      continues.push(a === r.addr ? 0 : 1);
      a += len;
      off += len;
      pieceBytes += len;
      if (pieceBytes >= PIECE_BYTES) close();
    }
  }
  close();
  return { ranges: Float64Array.from(ranges), pieces: Int32Array.from(pieces), continues: Uint8Array.from(continues) };
}

/**
 * The copied pages as runs (views of the pool), plus the totals. A run never spans two of the
 * caller's runs (full mode's runs are per mapping, and so stay the snapshot's runs), only the
 * pieces one of them was cut into.
 */
function collect(job: CopyJob, ranges: Float64Array, continues: Uint8Array): CopyResult {
  const ps = job.pageSize;
  const out: CopiedRun[] = [];
  let bytes = 0;
  let missed = 0;
  let runAddr = -1;
  let runOff = 0;
  let runLen = 0;
  const flush = (): void => {
    if (runLen > 0) out.push({ addr: runAddr, bytes: Buffer.from(job.pool.buffer, runOff, runLen) });
    runLen = 0;
  };
  for (let r = 0; r < ranges.length; r += 3) {
    const addr = ranges[r]!;
    const len = ranges[r + 1]!;
    const off = ranges[r + 2]!;
    if (continues[r / 3] === 0) flush();
    const table = job.pages.subarray(off / ps, (off + len) / ps);
    // Runs of copied pages by native scans (a multi-GB capture has ~10^5–10^6 pages; a range is ≤ 1 MiB).
    for (let p = 0; p < table.length; ) {
      if (table[p] !== PAGE_COPIED) {
        if (table[p] === PAGE_FAILED) missed += ps;
        flush();
        p++;
        continue;
      }
      const end = firstNotCopied(table, p);
      const a = addr + p * ps;
      const o = off + p * ps;
      const l = (end - p) * ps;
      if (runLen > 0 && runAddr + runLen === a && runOff + runLen === o) runLen += l;
      else {
        flush();
        runAddr = a;
        runOff = o;
        runLen = l;
      }
      bytes += l;
      p = end;
    }
  }
  flush();
  const flags = Atomics.load(job.ctl, JOB.flags);
  return { runs: out, bytes, missedBytes: missed, gone: (flags & FLAG_GONE) !== 0, denied: (flags & FLAG_DENIED) !== 0 };
}

/** Index of the first page at or after `from` that is not PAGE_COPIED (or the table's length). */
function firstNotCopied(table: Uint8Array, from: number): number {
  let end = table.length;
  for (const state of [PAGE_FAILED, PAGE_NOT_COPIED]) {
    const at = table.indexOf(state, from);
    if (at >= 0 && at < end) end = at;
  }
  return end;
}

function shared<T extends Float64Array | Int32Array>(a: T): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(Math.max(a.byteLength, 8));
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}

const MADV_HUGEPAGE = 14;
const HUGE = 2 << 20;

/**
 * A shared buffer whose pages are all faulted in now, not during the freeze: one write per page
 * (filling it byte by byte ran at ~1 GB/s here, 1.3 s for full mode's pool on a 1.2 GiB process).
 * Backed by transparent huge pages where the kernel allows them (its default "madvise" mode needs
 * the advice): fewer TLB misses while the kernel writes into it, 7 % faster copies on this VM.
 */
function touched(bytes: number, sys: Sys): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes);
  const base = Number(sys.address(new Uint8Array(sab)));
  const from = Math.ceil(base / HUGE) * HUGE;
  const to = Math.floor((base + bytes) / HUGE) * HUGE;
  if (to > from) sys.madvise(from, to - from, MADV_HUGEPAGE); // advice only: a refusal changes nothing
  const words = new Int32Array(sab);
  for (let i = 0; i < words.length; i += 1024) words[i] = 0;
  return sab;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
