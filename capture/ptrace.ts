/**
 * The few libc calls the capture needs, through koffi (docs/capture.md). Every call here is
 * synchronous and must stay on Node's main thread: the tracer is a thread, and koffi's `.async` calls
 * run on a worker thread that is not the tracer (ptrace from there fails with ESRCH).
 *
 * Bindings are loaded lazily (first use), so `gospy --help` and the analyzer never load koffi.
 */
import { createRequire } from 'node:module';

export const PTRACE_DETACH = 17;
export const PTRACE_GETREGSET = 0x4204;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const NT_PRSTATUS = 1;
export const PTRACE_EVENT_STOP = 128;

export const WNOHANG = 1;
export const __WALL = 0x40000000;

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;

export const SIGTRAP = 5;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;

/** Errno numbers by name (koffi.os.errno), e.g. errnoNames.ESRCH. */
export interface Sys {
  /** ptrace with integer addr/data. Returns -1 on error (then read errno()). */
  ptrace(req: number, pid: number, addr: number | bigint, data: number | bigint): number;
  /** ptrace with a buffer as data (GETREGSET iovec). */
  ptraceBuf(req: number, pid: number, addr: number | bigint, data: Uint8Array): number;
  /** waitpid; the status word is written into status[0]. */
  waitpid(pid: number, status: Int32Array, options: number): number;
  /** process_vm_readv with hand-built iovec arrays (u64 base, u64 len each). */
  processVmReadv(pid: number, local: Uint8Array, nlocal: number, remote: Uint8Array, nremote: number): number;
  /** clock_gettime into ts (sec, nsec). */
  clockGettime(clock: number, ts: BigInt64Array): number;
  errno(): number;
  /** madvise(2) on our own memory (the copy pool); 0 or -1. */
  madvise(addr: number, len: number, advice: number): number;
  /** Address of the first byte of a buffer (includes byteOffset). */
  address(buf: Uint8Array): bigint;
  readonly E: Readonly<Record<string, number>>;
}

let sys: Sys | undefined;

export function loadSys(): Sys {
  if (sys !== undefined) return sys;
  // koffi is CommonJS with a native addon; createRequire keeps it out of the ESM loader's way.
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  // glibc's ptrace is variadic; a fixed 4-argument prototype matches the x86-64 and AArch64 ABIs.
  const ptrace = lib.func('long ptrace(long req, int pid, uintptr_t addr, uintptr_t data)');
  const ptraceBuf = lib.func('ptrace', 'long', ['long', 'int', 'uintptr_t', 'void *']);
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  const pvr = lib.func(
    'intptr_t process_vm_readv(int pid, void *liov, unsigned long nl, void *riov, unsigned long nr, unsigned long flags)',
  );
  const clockGettime = lib.func('int clock_gettime(int clk, void *ts)');
  const madvise = lib.func('int madvise(uintptr_t addr, size_t len, int advice)');
  const statusBox = [0];
  sys = {
    ptrace: (req, pid, addr, data) => Number(ptrace(req, pid, addr, data)),
    ptraceBuf: (req, pid, addr, data) => Number(ptraceBuf(req, pid, addr, data)),
    waitpid: (pid, status, options) => {
      const r = Number(waitpid(pid, statusBox, options));
      status[0] = statusBox[0] ?? 0;
      return r;
    },
    processVmReadv: (pid, local, nlocal, remote, nremote) => Number(pvr(pid, local, nlocal, remote, nremote, 0)),
    clockGettime: (clock, ts) => Number(clockGettime(clock, ts)),
    errno: () => koffi.errno(),
    madvise: (addr, len, advice) => Number(madvise(addr, len, advice)),
    address: (buf) => koffi.address(buf),
    E: koffi.os.errno,
  };
  return sys;
}

/** Decoded waitpid status. */
export interface WaitStatus {
  readonly stopped: boolean;
  readonly exited: boolean;
  readonly stopSig: number;
  readonly event: number;
}

export function decodeWaitStatus(st: number): WaitStatus {
  const stopped = (st & 0xff) === 0x7f;
  return {
    stopped,
    exited: !stopped,
    stopSig: stopped ? (st >> 8) & 0xff : 0,
    event: stopped ? (st >>> 16) & 0xff : 0,
  };
}

/** Nanoseconds of `clock` as a Number (exact below 2^53 ns ≈ 104 days of uptime; then rounded). */
export function clockNs(s: Sys, clock: number, ts: BigInt64Array = new BigInt64Array(2)): number {
  if (s.clockGettime(clock, ts) !== 0) return NaN;
  return Number(ts[0]! * 1_000_000_000n + ts[1]!);
}
