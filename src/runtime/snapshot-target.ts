/**
 * Adapts a gospy snapshot (memory/snapshot-image.ts) to the runtime layer's Target: registers
 * decoded from the raw regsets (the same decoder as a core's NT_PRSTATUS), kernel thread states and
 * the capture's CLOCK_MONOTONIC reading, so wait minutes are exact.
 */
import { FormatError } from '../base/errors.ts';
import { WarningSink } from '../base/warnings.ts';
import { parseRegset } from '../format/elf/core-notes.ts';
import type { SnapshotProcess } from '../memory/snapshot-image.ts';
import { AMD64, ARM64 } from './arch.ts';
import { executableTarget } from './core-target.ts';
import type { Target, TargetThread } from './target.ts';

export function snapshotTarget(sp: SnapshotProcess, path: string): Target {
  const snap = sp.snapshot;
  const arch = snap.meta.arch;
  const warnings = new WarningSink();
  for (const w of sp.warnings) warnings.add(w.kind, w.message);
  const threads: TargetThread[] = [];
  for (const t of snap.threads) {
    if (!t.stopped || t.regs.length === 0) continue;
    let regs;
    try {
      regs = parseRegset(t.regs, arch, `snapshot thread ${t.tid} registers`);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      warnings.add('snapshot-thread-regs', `${e.message}; thread skipped`);
      continue;
    }
    threads.push({
      tid: t.tid,
      pc: regs.pc,
      sp: regs.sp,
      bp: regs.bp,
      lr: regs.lr ?? 0,
      gReg: regs.gReg,
      tlsBase: regs.fsBase,
      state: t.state === '' ? undefined : t.state,
    });
  }
  const { exe, goVersion, buildInfo } = executableTarget(sp.exe, snap.meta.exePath);
  return {
    kind: 'snapshot',
    path,
    pid: snap.meta.pid,
    arch: arch === 'arm64' ? ARM64 : AMD64,
    memory: sp.image,
    threads,
    exe,
    exeFoundBy: 'snapshot',
    loadBias: sp.loadBias,
    monotonicNow: Number.isFinite(snap.meta.monotonicNs) && snap.meta.monotonicNs > 0 ? snap.meta.monotonicNs : undefined,
    tornGoroutines: snap.meta.tornGoroutines === undefined ? undefined : new Set(snap.meta.tornGoroutines),
    goVersion,
    buildInfo,
    warnings: warnings.list,
  };
}
