/**
 * What the runtime layer reads a Go process through, whatever the input was (ELF core, gospy
 * snapshot, live process): an address space, the threads' registers, the executable
 * (memory/executable.ts) and the architecture (arch.ts). `buildTarget` is the one place a Target is
 * made; `coreTarget`, `snapshotTarget` and `liveTarget` only say where each input keeps the parts.
 */
import { FormatError } from '../base/errors.ts';
import { type Warning, WarningSink } from '../base/warnings.ts';
import { parseRegset, type ThreadRegs } from '../format/elf/core-notes.ts';
import type { CoreProcess } from '../memory/core-process.ts';
import type { Executable } from '../memory/executable.ts';
import type { SnapshotProcess } from '../memory/snapshot-image.ts';
import { archSpec, type ArchSpec } from './arch.ts';

export interface TargetMemory {
  /** Bytes at addr; throws UnmappedAddressError when any part is unreadable. */
  read(addr: number, len: number, purpose?: string): Uint8Array;
  tryRead(addr: number, len: number): Uint8Array | undefined;
}

export interface TargetThread {
  readonly tid: number;
  readonly pc: number;
  readonly sp: number;
  /** Frame pointer register (rbp / x29). */
  readonly bp: number;
  /** Link register (arm64 x30); 0 on amd64. */
  readonly lr: number;
  /** Register that holds g in Go code (amd64 r14 since 1.17, arm64 x28). */
  readonly gReg: number;
  /** amd64 FS base (TLS); undefined on arm64. */
  readonly tlsBase: number | undefined;
  /** Kernel thread state letter when the input recorded it. */
  readonly state: string | undefined;
}

export interface Target {
  readonly kind: 'core' | 'snapshot';
  readonly path: string;
  readonly pid: number | undefined;
  readonly arch: ArchSpec;
  readonly memory: TargetMemory;
  readonly threads: readonly TargetThread[];
  readonly exe: Executable;
  /** How the executable was chosen: named by the user, or found from the core's notes. */
  readonly exeFoundBy: 'argument' | 'nt_file' | 'prpsinfo' | 'beside-core' | 'snapshot';
  /** Runtime address − link-time address of the executable (PIE). */
  readonly loadBias: number;
  /**
   * g addresses of goroutines a --nonblocking capture saw change while it copied them (their
   * stacks may mix two moments); undefined when the input makes no such statement.
   */
  readonly tornGoroutines?: ReadonlySet<number> | undefined;
  /** CLOCK_MONOTONIC at capture time (snapshots); cores have none. */
  readonly monotonicNow: number | undefined;
  /** Go version and build info as read from the executable file. */
  readonly goVersion: string | undefined;
  readonly buildInfo: { path?: string | undefined; main?: { path: string; version: string } | undefined; settings: readonly (readonly [string, string])[] } | undefined;
  readonly warnings: readonly Warning[];
}

/** The parts of a Target its input supplies; the executable's Go version and build info are read here. */
export type TargetParts = Omit<Target, 'goVersion' | 'buildInfo' | 'warnings'> & { readonly warnings: WarningSink };

export function buildTarget(parts: TargetParts): Target {
  const bi = parts.exe.buildInfo;
  return {
    ...parts,
    goVersion: parts.exe.goVersion,
    buildInfo: bi ? { path: bi.path, main: bi.main, settings: bi.settings } : undefined,
    warnings: parts.warnings.list,
  };
}

/** A thread as the runtime layer sees it, from decoded registers (NT_PRSTATUS or PTRACE_GETREGSET). */
export function threadOf(tid: number, regs: ThreadRegs, state: string | undefined): TargetThread {
  return { tid, pc: regs.pc, sp: regs.sp, bp: regs.bp, lr: regs.lr ?? 0, gReg: regs.gReg, tlsBase: regs.fsBase, state };
}

/**
 * Threads from raw regsets (a snapshot's or a frozen process's): empty regsets (threads not
 * stopped) are left out, and one that does not decode is skipped with a warning.
 */
export function threadsOfRegsets(
  regsets: readonly { readonly tid: number; readonly regs: Uint8Array; readonly state?: string | undefined }[],
  arch: ArchSpec,
  warnings: WarningSink,
  what = 'thread',
): TargetThread[] {
  const out: TargetThread[] = [];
  for (const t of regsets) {
    if (t.regs.length === 0) continue;
    let regs;
    try {
      regs = parseRegset(t.regs, arch.name, `${what} ${t.tid} registers`);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      warnings.add('snapshot-thread-regs', `${e.message}; thread skipped`);
      continue;
    }
    out.push(threadOf(t.tid, regs, t.state === '' ? undefined : t.state));
  }
  return out;
}

/** An opened ELF core (memory/core-process.ts). */
export function coreTarget(cp: CoreProcess, corePath: string, exeFoundBy: Target['exeFoundBy']): Target {
  const warnings = new WarningSink();
  for (const w of cp.warnings) warnings.add(w.kind, w.message);
  return buildTarget({
    kind: 'core',
    path: corePath,
    pid: cp.prpsinfo?.pid,
    arch: archSpec(cp.machine),
    memory: cp.image,
    threads: cp.threads.map((t) => threadOf(t.tid, t.regs, undefined)),
    exe: cp.exe,
    exeFoundBy,
    loadBias: cp.loadBias,
    monotonicNow: undefined,
    warnings,
  });
}

/**
 * A gospy snapshot (memory/snapshot-image.ts): registers decoded from the raw regsets (the same
 * decoder as a core's NT_PRSTATUS), kernel thread states and the capture's CLOCK_MONOTONIC reading,
 * so wait minutes are exact.
 */
export function snapshotTarget(sp: SnapshotProcess, path: string): Target {
  const snap = sp.snapshot;
  const arch = archSpec(snap.meta.arch);
  const warnings = new WarningSink();
  for (const w of sp.warnings) warnings.add(w.kind, w.message);
  const threads = threadsOfRegsets(
    snap.threads.filter((t) => t.stopped),
    arch,
    warnings,
    'snapshot thread',
  );
  return buildTarget({
    kind: 'snapshot',
    path,
    pid: snap.meta.pid,
    arch,
    memory: sp.image,
    threads,
    exe: sp.exe,
    exeFoundBy: 'snapshot',
    loadBias: sp.loadBias,
    monotonicNow: Number.isFinite(snap.meta.monotonicNs) && snap.meta.monotonicNs > 0 ? snap.meta.monotonicNs : undefined,
    tornGoroutines: snap.meta.tornGoroutines === undefined ? undefined : new Set(snap.meta.tornGoroutines),
    warnings,
  });
}

/**
 * A running (or frozen) process read through `memory` (capture's live reads): what capture's
 * goroutine planner walks. It is read like the snapshot it is about to become.
 */
export function liveTarget(pid: number, arch: ArchSpec, memory: TargetMemory, exe: Executable, loadBias: number, threads: readonly TargetThread[] = []): Target {
  return buildTarget({
    kind: 'snapshot',
    path: `pid ${pid}`,
    pid,
    arch,
    memory,
    threads,
    exe,
    exeFoundBy: 'snapshot',
    loadBias,
    monotonicNow: undefined,
    warnings: new WarningSink(),
  });
}
