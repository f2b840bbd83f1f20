/**
 * Freezing every thread of a process (docs/capture.md; the kernel's ptrace(2)): PTRACE_SEIZE + PTRACE_INTERRUPT — never
 * PTRACE_ATTACH, whose SIGSTOP outlives a killed tracer and leaves the target stopped — on each thread,
 * rescanning /proc/PID/task until no new thread appears; a stop deadline for threads that sit in
 * uninterruptible sleep (they are reported, and the snapshot is partial); registers with
 * PTRACE_GETREGSET/NT_PRSTATUS; and PTRACE_DETACH of every stopped thread in a `finally`, passing back
 * any signal that a signal-delivery-stop swallowed. A group-stopped target (SIGSTOP, ^Z) is detached
 * with no signal and so stays stopped. PTRACE_O_EXITKILL is never set: if gospy dies, the kernel
 * detaches and the target runs on.
 *
 * Everything is synchronous on the main thread (the tracer is a thread).
 */
import {
  __WALL,
  decodeWaitStatus,
  loadSys,
  NT_PRSTATUS,
  PTRACE_DETACH,
  PTRACE_EVENT_STOP,
  PTRACE_GETREGSET,
  PTRACE_INTERRUPT,
  PTRACE_SEIZE,
  SIGSTOP,
  SIGTRAP,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
  WNOHANG,
  type Sys,
} from './ptrace.ts';
import { listTasks, processAlive, threadState } from './proc.ts';
import { errnoName, notPermitted, processGone, ptraceRefused } from './errors.ts';

export type StopKind = 'interrupt' | 'group-stop' | 'signal' | 'none';

export interface FrozenThread {
  readonly tid: number;
  /** Kernel state letter read just before this thread was seized. */
  readonly stateBefore: string;
  stopped: boolean;
  stopKind: StopKind;
  /** Signal to re-inject on detach (after a signal-delivery-stop), else 0. */
  pendingSig: number;
  regs: Uint8Array;
  /** ptrace attached (must be detached). */
  attached: boolean;
  /** The thread ended before or while it was being stopped (not part of the snapshot). */
  gone: boolean;
}

export interface FreezeOptions {
  /** How long to wait for every thread to stop, from the first PTRACE_INTERRUPT (default DEFAULT_STOP_DEADLINE_MS). */
  readonly stopDeadlineMs?: number | undefined;
  /** How long to wait, after the detach, for threads that never stopped so they can be detached too (default 200 ms). */
  readonly lingerMs?: number | undefined;
  /** Test hook: called after each step of the freeze ("seized", "stopped", …). */
  readonly onStep?: ((step: string) => void) | undefined;
}

export interface FreezeResult<T> {
  readonly value: T;
  readonly threads: readonly FrozenThread[];
  /** First PTRACE_INTERRUPT → last PTRACE_DETACH, ms. */
  readonly pauseMs: number;
  /** Threads that did not stop before the deadline. */
  readonly unstopped: readonly number[];
  /** The time all threads were stopped (performance.now()). */
  readonly frozenAt: number;
}

/**
 * Default stop deadline. The reference suggests 50–100 ms; on the 2-vCPU test VM an ordinary Go thread
 * occasionally took over 100 ms to reach its stop (scheduling noise), which would have made healthy
 * captures partial, so the default leaves room for that. A thread in D state costs at most this much pause.
 */
export const DEFAULT_STOP_DEADLINE_MS = 200;

const GROUP_STOP_SIGNALS = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);
const MAX_PASSES = 64;

/** A thread that never stopped cannot be detached; the kernel detaches it when gospy exits. */
export class FreezeState {
  readonly threads = new Map<number, FrozenThread>();
  firstInterrupt = -1;
  lastDetach = -1;
}

/**
 * Freezes `pid`, runs `body` while every thread it could stop is stopped, then detaches (always).
 * `body` must be synchronous: no event-loop turn may happen while the target is stopped.
 */
export function withFrozenProcess<T>(pid: number, opts: FreezeOptions, body: (threads: readonly FrozenThread[]) => T): FreezeResult<T> {
  const sys = loadSys();
  const state = new FreezeState();
  const deadlineMs = opts.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
  const status = new Int32Array(1);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const regBuf = Buffer.alloc(1024);
  const iov = Buffer.alloc(16);
  let value: T;
  let frozenAt = 0;
  let unstopped: number[] = [];
  try {
    let passes = 0;
    for (;;) {
      const fresh = listTasks(pid).filter((tid) => !state.threads.has(tid));
      if (fresh.length === 0) {
        if (passes === 0) throw processGone(pid, 'before the capture started');
        break;
      }
      if (++passes > MAX_PASSES) break; // threads appear faster than we can stop them: capture what we have
      // States first, while nothing of this batch is stopped yet (a stopped thread reads 't').
      const batch = fresh.map((tid) => ({ tid, state: threadState(pid, tid) }));
      for (const { tid, state: st } of batch) {
        const t: FrozenThread = {
          tid,
          stateBefore: st ?? '',
          stopped: false,
          stopKind: 'none',
          pendingSig: 0,
          regs: new Uint8Array(0),
          attached: false,
          // A zombie thread (Z/X) never stops again: it is not part of the process any more.
          gone: st === undefined || st === 'Z' || st === 'X',
        };
        state.threads.set(tid, t);
        if (t.gone) continue; // ended between the listing and now
        if (sys.ptrace(PTRACE_SEIZE, tid, 0, 0) !== 0) {
          const e = sys.errno();
          if (e === sys.E['ESRCH']) {
            if (tid === pid) throw processGone(pid, 'before it could be stopped');
            t.gone = true; // the thread exited meanwhile
            continue;
          }
          if (e === sys.E['EPERM'] || e === sys.E['EACCES']) throw notPermitted(pid, e === sys.E['EPERM'] ? 'EPERM' : 'EACCES');
          throw ptraceRefused(pid, tid, 'PTRACE_SEIZE', errnoName(sys.E, e));
        }
        t.attached = true;
        if (state.firstInterrupt < 0) state.firstInterrupt = performance.now();
        if (sys.ptrace(PTRACE_INTERRUPT, tid, 0, 0) !== 0) {
          // ESRCH: it exited right after the seize. Nothing to wait for.
          t.attached = false;
          t.gone = true;
        }
      }
      opts.onStep?.(`seized pass ${passes}`);
      waitForStops(sys, state, status, sleeper, deadlineMs);
    }
    if (!state.threads.get(pid)?.attached || !processAlive(pid)) throw processGone(pid, 'while it was being stopped');
    frozenAt = performance.now();
    unstopped = [...state.threads.values()].filter((t) => t.attached && !t.stopped).map((t) => t.tid);
    opts.onStep?.('stopped');
    // Registers of every stopped thread.
    const regAddr = sys.address(regBuf);
    for (const t of state.threads.values()) {
      if (!t.stopped) continue;
      iov.writeBigUInt64LE(regAddr, 0);
      iov.writeBigUInt64LE(BigInt(regBuf.length), 8);
      if (sys.ptraceBuf(PTRACE_GETREGSET, t.tid, NT_PRSTATUS, iov) === 0) {
        const len = Number(iov.readBigUInt64LE(8));
        t.regs = new Uint8Array(regBuf.subarray(0, len));
      }
    }
    opts.onStep?.('registers');
    value = body([...state.threads.values()]);
  } finally {
    detachAll(sys, state, status);
    releaseLingering([...state.threads.values()], opts.lingerMs ?? 200);
  }
  const threads = [...state.threads.values()].filter((t) => !t.gone);
  return {
    value,
    threads,
    pauseMs: state.firstInterrupt < 0 ? 0 : state.lastDetach - state.firstInterrupt,
    unstopped,
    frozenAt,
  };
}

/** Polls waitpid(WNOHANG) for every attached, not yet stopped thread until all stop or the deadline passes. */
function waitForStops(sys: Sys, state: FreezeState, status: Int32Array, sleeper: Int32Array, deadlineMs: number): void {
  const passStart = performance.now();
  for (;;) {
    let pending = 0;
    for (const t of state.threads.values()) {
      if (!t.attached || t.stopped) continue;
      const r = sys.waitpid(t.tid, status, WNOHANG | __WALL);
      if (r === 0) {
        pending++;
        continue;
      }
      if (r < 0) {
        // ECHILD: gone (reaped elsewhere, or exited).
        t.attached = false;
        t.gone = true;
        continue;
      }
      const ws = decodeWaitStatus(status[0]!);
      if (!ws.stopped) {
        t.attached = false; // exited or killed while we attached
        t.gone = true;
        continue;
      }
      t.stopped = true;
      if (ws.event === PTRACE_EVENT_STOP) {
        t.stopKind = GROUP_STOP_SIGNALS.has(ws.stopSig) ? 'group-stop' : 'interrupt';
      } else if (ws.event === 0) {
        t.stopKind = 'signal';
        t.pendingSig = ws.stopSig === SIGTRAP ? SIGTRAP : ws.stopSig;
      } else {
        t.stopKind = 'interrupt';
      }
    }
    if (pending === 0) return;
    const now = performance.now();
    // Every pass gets at least 10 ms, so threads found late still have a chance to stop.
    if (now - state.firstInterrupt >= deadlineMs && now - passStart >= 10) return;
    Atomics.wait(sleeper, 0, 0, 0.2);
  }
}

function detachAll(sys: Sys, state: FreezeState, status: Int32Array): void {
  for (const t of state.threads.values()) {
    if (!t.attached) continue;
    if (!t.stopped) {
      // One last look: it may have stopped since the deadline.
      const r = sys.waitpid(t.tid, status, WNOHANG | __WALL);
      if (r > 0) {
        const ws = decodeWaitStatus(status[0]!);
        if (!ws.stopped) {
          t.attached = false;
          continue;
        }
        if (ws.event === 0) t.pendingSig = ws.stopSig;
        t.stopped = true;
        t.stopKind = t.stopKind === 'none' ? 'interrupt' : t.stopKind;
        // It stopped too late: its registers were not read, so it still counts as not stopped.
        sys.ptrace(PTRACE_DETACH, t.tid, 0, t.pendingSig);
        t.stopped = false;
        t.attached = false;
      }
      continue;
    }
    sys.ptrace(PTRACE_DETACH, t.tid, 0, t.pendingSig);
    t.attached = false;
  }
  state.lastDetach = performance.now();
}

/**
 * Threads that were seized but never stopped are still traced by this process; they will stop at the
 * pending interrupt as soon as they leave their uninterruptible sleep, and stay stopped while this
 * process lives. Poll for up to `ms` and detach them as they stop; whatever is left is detached by the
 * kernel when this process exits (the CLI exits right after writing the snapshot).
 */
export function releaseLingering(threads: readonly FrozenThread[], ms: number): number[] {
  const sys = loadSys();
  const status = new Int32Array(1);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const end = performance.now() + ms;
  let left = threads.filter((t) => t.attached && !t.stopped);
  while (left.length > 0) {
    left = left.filter((t) => {
      const r = sys.waitpid(t.tid, status, WNOHANG | __WALL);
      if (r === 0) return true;
      if (r > 0 && decodeWaitStatus(status[0]!).stopped) {
        const ws = decodeWaitStatus(status[0]!);
        sys.ptrace(PTRACE_DETACH, t.tid, 0, ws.event === 0 ? ws.stopSig : 0);
      }
      t.attached = false;
      return false;
    });
    if (left.length === 0 || performance.now() >= end) break;
    Atomics.wait(sleeper, 0, 0, 1);
  }
  return left.map((t) => t.tid);
}
