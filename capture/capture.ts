/**
 * `gospy capture` orchestration: checks (process exists, is Go, may be traced), preparation outside the
 * pause (pool allocated and touched, pagemap opened, bindings loaded), the freeze (clocks, maps,
 * pagemap, memory, auxv, registers), detach, and the CaptureData of src/format/snapshot/schema.ts.
 *
 * Mode 'full' is Go-agnostic: its only Go-specific step is the "is this a Go program" check on the
 * executable, the analyzer's own (a Go function table, runtime/symbols/moduledata-scan.ts). Mode 'goroutines' must know Go to know what to copy: capture/goroutines.ts
 * walks the frozen process with the runtime layer and copies only what goroutine reports read.
 */
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import { BufferSource } from '../src/base/bytes.ts';
import { GospyError, UnsupportedError } from '../src/base/errors.ts';
import { AT_PAGESZ } from '../src/format/elf/constants.ts';
import { parseAuxv } from '../src/format/elf/core-notes.ts';
import { Executable } from '../src/memory/executable.ts';
import { archOfNode, type ArchSpec } from '../src/runtime/arch.ts';
import { hasGoFunctionTable } from '../src/runtime/symbols/moduledata-scan.ts';
import type { CaptureData, SnapshotMode, SnapshotThread } from '../src/format/snapshot/schema.ts';
import { Copier, type CopyResult } from './copy.ts';
import { noSuchProcess, notGo, notPermitted, processGone } from './errors.ts';
import { withFrozenProcess, type FrozenThread } from './freeze.ts';
import { GoroutinePlanner } from './goroutines.ts';
import { PagemapScanner, type PageRun } from './pagemap.ts';
import { CLOCK_MONOTONIC, clockNs, loadSys } from './ptrace.ts';
import {
  exeLink,
  listTasks,
  nsPid,
  processAlive,
  processExists,
  readAuxv,
  readCmdline,
  readExe,
  readMaps,
  readStatus,
  statusBytes,
  threadState,
  timensMonotonicOffsetNs,
} from './proc.ts';

export interface CaptureOptions {
  readonly pid: number;
  readonly mode?: SnapshotMode | undefined;
  /** Never stop the target: memory may be torn, no registers. */
  readonly nonblocking?: boolean | undefined;
  /** Stop deadline for threads in uninterruptible sleep (default 100 ms). */
  readonly stopDeadlineMs?: number | undefined;
  /**
   * Test hook: hold the target stopped this long after reading the registers, before copying memory,
   * so safety tests can kill gospy or the target at a known point of the freeze. 0 in real use.
   */
  readonly holdMs?: number | undefined;
  /** Copy workers besides the main thread (default: CPUs − 1, at most 3; 0 copies on the main thread only). */
  readonly copyThreads?: number | undefined;
  /** Test hook, called at each step inside and around the freeze. */
  readonly onStep?: ((step: string) => void) | undefined;
}

export interface CaptureStats {
  /** Time the target was stopped (0 with --nonblocking), ms. */
  readonly pauseMs: number;
  readonly threads: number;
  readonly copiedBytes: number;
  readonly runs: number;
  /** Bytes of runs that vanished while reading (only without a freeze). */
  readonly missedBytes: number;
  /** The whole capture, from the first check to the exe read, ms. */
  readonly totalMs: number;
  /** The target was stopped (job control) before the capture, and stays so. */
  readonly wasStopped: boolean;
}

export interface CaptureOutcome {
  readonly data: CaptureData;
  readonly stats: CaptureStats;
}

/**
 * Goroutines mode's rehearsals of its in-freeze step before the freeze. The pause is mostly JS
 * (copy bookkeeping, the walk of the copy), and V8 optimizes it only after it ran a few times: with
 * one rehearsal a fresh `gospy capture` of 10k goroutines paused 29–36 ms here, with three 17–19 ms,
 * with six no better. Each costs the target nothing but a share of CPU (~15 ms of copying).
 */
const REHEARSALS = 3;

export function capture(opts: CaptureOptions): CaptureOutcome {
  const t0 = performance.now();
  const pid = opts.pid;
  const mode = opts.mode ?? 'full';
  if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) throw noSuchProcess(pid);
  const arch = archOfNode(process.arch);
  if (arch === undefined) throw new UnsupportedError('arch', `gospy capture runs on linux/amd64 and linux/arm64, not ${process.arch}`);

  // ---- outside the pause ------------------------------------------------------------------
  let status: Map<string, string>;
  let exeBytes: Uint8Array;
  let exePath: string;
  let scanner: PagemapScanner;
  try {
    status = readStatus(pid);
    exePath = exeLink(pid);
    // Read now (not after the detach) so a non-Go process is never stopped at all.
    exeBytes = readExe(pid);
    scanner = new PagemapScanner(pid);
  } catch (e) {
    throw procError(pid, e);
  }
  // The analyzer's Go test (a Go function table), on the executable the process runs.
  const exe = goExecutable(exeBytes, exePath);
  if (exe === undefined) {
    scanner.close();
    throw notGo(pid, exePath);
  }
  const wasStopped = status.get('State')?.startsWith('T') === true;
  let cmdline: string[];
  let auxvBefore: Uint8Array;
  try {
    cmdline = readCmdline(pid);
    auxvBefore = readAuxv(pid);
  } catch (e) {
    scanner.close();
    throw procError(pid, e);
  }
  const pageSize = parseAuxv(auxvBefore).get(AT_PAGESZ) ?? arch.pageSize;
  // Goroutines mode: resolve the binary's facts (layout, globals) now, outside the pause.
  let planner: GoroutinePlanner | undefined;
  if (mode === 'goroutines') {
    try {
      planner = new GoroutinePlanner(pid, exe, auxvBefore, arch);
    } catch (e) {
      scanner.close();
      throw procError(pid, e);
    }
  }
  const monoOffset = timensMonotonicOffsetNs(pid) - timensMonotonicOffsetNs('self');
  const sys = loadSys();
  const ts = new BigInt64Array(2);
  clockNs(sys, CLOCK_MONOTONIC, ts); // warm the binding
  // Goroutines mode walks the running process now, outside the pause: racy, but only a plan, which
  // the freeze copies in a few batched reads and then checks against the frozen copy
  // (GoroutinePlanner.copyFrozen). It also sizes the pool.
  let estimate: number | undefined;
  // Full mode: what pagemap reports now. It can exceed VmRSS: a page that was read but never written
  // maps the shared zero page, which pagemap reports present and RSS does not count (after a gdb
  // `gcore`, 40 MiB of them on a 107 MiB process). A pool sized by RSS alone then overflowed, and
  // the fresh pool was allocated inside the pause (84 ms instead of 25).
  let present: PageRun[] = [];
  try {
    if (planner) estimate = planner.plan(readMaps(pid), []).bytes;
    else present = scanner.scan(readMaps(pid));
  } catch {
    // the real pass reports any problem
  }
  const want =
    estimate !== undefined
      ? estimate * 1.5
      : Math.max(statusBytes(status, 'VmRSS') + statusBytes(status, 'VmSwap'), present.reduce((n, r) => n + r.len, 0));
  let copier: Copier;
  try {
    copier = new Copier(pid, Math.ceil(want * 1.1) + (16 << 20), { pageSize, threads: opts.copyThreads });
  } catch (e) {
    scanner.close();
    throw procError(pid, e);
  }
  // Warm-up outside the pause, so the freeze runs warmer code and page caches. Full mode: the pagemap
  // scan (twice more) and a short copy on every thread. Goroutines mode rehearses its whole in-freeze step (copy
  // the plan, walk the copy) on the running process, REHEARSALS times, then reuses the pool.
  try {
    if (!planner) {
      // The pagemap scan is in the pause too; its first runs were 2–3× slower than later ones.
      for (let i = 0; i < 2; i++) scanner.scan(readMaps(pid));
      copier.copy(present.slice(0, 8), { scan: false });
    }
    else if (estimate !== undefined) {
      for (let i = 0; i < REHEARSALS; i++) {
        copier.reset();
        planner.copyFrozen(copier, readMaps(pid), []);
      }
    }
  } catch {
    // the real pass reports any problem
  }
  copier.reset();

  let monotonicNs = 0;
  let time = '';
  let maps: ReturnType<typeof readMaps> = [];
  let copied: CopyResult = { runs: [], bytes: 0, missedBytes: 0, gone: false };
  let pauseMs = 0;
  let unstopped: readonly number[] = [];
  let threads: SnapshotThread[];
  let torn: number[] | undefined;

  const nonblocking = opts.nonblocking === true;
  const grab = (frozen: readonly { readonly tid: number; readonly regs: Uint8Array }[]): void => {
    if (opts.holdMs !== undefined && opts.holdMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, opts.holdMs);
    monotonicNs = clockNs(sys, CLOCK_MONOTONIC, ts) + monoOffset;
    time = new Date().toISOString();
    maps = readMaps(pid);
    opts.onStep?.('maps');
    if (planner) {
      // The plan was made before the freeze; copying it and checking it against the copy are one step.
      opts.onStep?.('planned');
      copied = nonblocking ? copier.copy(planner.plan(maps, []).runs, { scan: true }) : planner.copyFrozen(copier, maps, frozen, opts.onStep);
    } else {
      const runs = scanner.scan(maps);
      opts.onStep?.('pagemap');
      copied = copier.copy(runs, { scan: false });
    }
    opts.onStep?.('copied');
  };

  try {
    if (opts.nonblocking === true) {
      const states = new Map(listTasks(pid).map((tid) => [tid, threadState(pid, tid)] as const));
      grab([]);
      torn = findTorn(pid, exe, auxvBefore, arch, planner, copier, copied, maps);
      opts.onStep?.('torn checked');
      threads = [...states].filter(([, s]) => s !== undefined).map(([tid, s]) => ({ tid, state: s!, regs: new Uint8Array(0), stopped: false }));
    } else {
      const r = withFrozenProcess(pid, { stopDeadlineMs: opts.stopDeadlineMs, onStep: opts.onStep }, (frozen) => grab(frozen));
      pauseMs = r.pauseMs;
      unstopped = r.unstopped;
      const frozen: readonly FrozenThread[] = r.threads;
      threads = frozen.map((t) => ({ tid: t.tid, state: t.stateBefore, regs: t.regs, stopped: t.stopped && t.regs.length > 0 }));
    }
  } catch (e) {
    throw procError(pid, e);
  } finally {
    scanner.close();
    copier.close();
  }
  opts.onStep?.('detached');
  if (copied.gone || !processAlive(pid)) throw processGone(pid, 'during the capture');
  if (copied.denied === true) throw notPermitted(pid, 'EPERM');
  // Go programs do not exec, but the pid could have been reused: the auxv must be the same process's.
  const auxv = safe(() => readAuxv(pid)) ?? auxvBefore;

  const data: CaptureData = {
    meta: {
      pid,
      nsPid: nsPid(status, pid),
      host: os.hostname(),
      kernel: os.release(),
      arch: arch.name,
      pageSize,
      mode,
      time,
      monotonicNs,
      pauseMs,
      partial: unstopped.length > 0 || copied.missedBytes > 0,
      unstoppedThreads: unstopped,
      cmdline,
      exePath,
      exeBuildId: exe.buildId(),
      captureTool: `gospy ${toolVersion()}`,
      nonblocking: opts.nonblocking === true,
      ...(torn === undefined ? {} : { tornGoroutines: torn }),
    },
    threads: threads.sort((a, b) => (a.tid === pid ? -1 : b.tid === pid ? 1 : a.tid - b.tid)),
    maps,
    auxv,
    memory: copied.runs,
    exe: exeBytes,
  };
  return {
    data,
    stats: {
      pauseMs,
      threads: threads.length,
      copiedBytes: copied.bytes,
      runs: copied.runs.length,
      missedBytes: copied.missedBytes,
      totalMs: performance.now() - t0,
      wasStopped,
    },
  };
}

/**
 * --nonblocking: the goroutines that changed while they were copied (GoroutinePlanner.findTorn), or
 * undefined when the binary cannot be read that way (then only the snapshot-wide warning says the
 * memory may be torn).
 */
function findTorn(
  pid: number,
  exe: Executable,
  auxv: Uint8Array,
  arch: ArchSpec,
  planner: GoroutinePlanner | undefined,
  copier: Copier,
  copied: CopyResult,
  maps: ReturnType<typeof readMaps>,
): number[] | undefined {
  if (copied.gone || copied.denied === true) return undefined;
  try {
    return (planner ?? new GoroutinePlanner(pid, exe, auxv, arch)).findTorn(copier, copied.runs, maps);
  } catch {
    return undefined;
  }
}

/** The executable as the analyzer reads it when it is a Go program (has a Go function table), else undefined. */
export function goExecutable(bytes: Uint8Array, path: string): Executable | undefined {
  let exe: Executable;
  try {
    exe = Executable.open(new BufferSource(bytes, path), path);
  } catch (e) {
    if (e instanceof GospyError) return undefined; // not ELF at all
    throw e;
  }
  return exe.isProgram && hasGoFunctionTable(exe) ? exe : undefined;
}

/** Maps errors from reading /proc or ptrace to the catalogue (gone, not permitted); others pass. */
function procError(pid: number, e: unknown): unknown {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (!processAlive(pid)) return processGone(pid, 'during the capture');
  if (code === 'EACCES' || code === 'EPERM') return notPermitted(pid, code);
  return e;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

let version: string | undefined;
function toolVersion(): string {
  if (version !== undefined) return version;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    version = 'unknown';
  }
  return version;
}
