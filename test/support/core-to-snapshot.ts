/**
 * Test support: turn a committed sample core (+ its executable) into the CaptureData a capture of
 * the same process state would produce, and write it as a .gsz. Threads come from NT_PRSTATUS
 * (pr_reg is exactly the regset PTRACE_GETREGSET returns), memory from the core's PT_LOADs with
 * filesz > 0, maps from the PT_LOADs named by NT_FILE, auxv from NT_AUXV.
 *
 * Synthetic, because a core does not record them: `monotonicNs` (the caller picks it; the default
 * is an arbitrary fixed value), thread states ('R' for the first thread in note order — the kernel
 * puts the dumping thread first — and 'S' for the others), host, kernel, time and pause.
 */
import * as fs from 'node:fs';
import { NT_AUXV, NT_PRSTATUS, PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE } from '../../src/format/elf/constants.ts';
import { PRSTATUS_REG_OFFSET, regsetSize, type CoreArch } from '../../src/format/elf/core-notes.ts';
import type { CaptureData, SnapshotMapping, SnapshotThread } from '../../src/format/snapshot/schema.ts';
import { type WriteOptions, type WriteResult, writeSnapshot } from '../../src/format/snapshot/writer.ts';
import { openCore } from '../../src/memory/open-core.ts';
import { i32 } from '../../src/base/bytes.ts';
import { writeOutputFile } from '../../src/base/output-file.ts';

/** The default synthetic CLOCK_MONOTONIC reading: 10^15 ns (about 11.6 days of uptime). */
export const SYNTHETIC_MONOTONIC_NS = 1e15;

export interface ConvertOptions {
  readonly monotonicNs?: number;
}

export async function coreToCapture(corePath: string, exePath: string, opts: ConvertOptions = {}): Promise<CaptureData> {
  const cp = await openCore(corePath, { exePath });
  try {
    const arch: CoreArch = cp.machine;
    const core = cp.core;
    const threads: SnapshotThread[] = [];
    let auxv = new Uint8Array(0);
    for (const ph of core.progs) {
      if (ph.type !== PT_NOTE) continue;
      for (const n of core.notes(ph)) {
        if (n.name !== 'CORE') continue;
        if (n.type === NT_PRSTATUS) {
          const regs = n.desc.slice(PRSTATUS_REG_OFFSET, PRSTATUS_REG_OFFSET + regsetSize(arch));
          threads.push({ tid: i32(n.desc, 32), state: threads.length === 0 ? 'R' : 'S', regs, stopped: true });
        } else if (n.type === NT_AUXV) {
          auxv = n.desc.slice();
        }
      }
    }
    const memory: { addr: number; bytes: Uint8Array }[] = [];
    const maps: SnapshotMapping[] = [];
    for (const p of core.progs) {
      if (p.type !== PT_LOAD || !Number.isFinite(p.vaddr)) continue;
      const file = cp.files.find((f) => p.vaddr >= f.start && p.vaddr < f.end);
      const perms = `${p.flags & PF_R ? 'r' : '-'}${p.flags & PF_W ? 'w' : '-'}${p.flags & PF_X ? 'x' : '-'}p`;
      maps.push({
        start: p.vaddr,
        end: p.vaddr + p.memsz,
        perms,
        offset: file ? file.fileOffsetBytes + (p.vaddr - file.start) : 0,
        path: file?.path ?? '',
      });
      if (p.filesz > 0) {
        const bytes = core.src.read(p.offset, p.filesz).slice();
        if (bytes.length > 0) memory.push({ addr: p.vaddr, bytes });
      }
    }
    const exePathRecorded = cp.files.find((f) => f.fileOffsetBytes === 0 && maps.some((m) => m.path === f.path))?.path ?? exePath;
    return {
      meta: {
        pid: cp.prpsinfo?.pid ?? 0,
        host: 'converted-from-core',
        kernel: 'unknown',
        arch,
        pageSize: 4096,
        mode: 'full',
        time: '2026-01-01T00:00:00.000Z',
        monotonicNs: opts.monotonicNs ?? SYNTHETIC_MONOTONIC_NS,
        pauseMs: 0,
        partial: false,
        unstoppedThreads: [],
        cmdline: (cp.prpsinfo?.psargs ?? '').split(' ').filter((x) => x !== ''),
        exePath: exePathRecorded,
        captureTool: 'test/support/core-to-snapshot.ts',
        nonblocking: false,
      },
      threads,
      maps,
      auxv,
      memory,
      exe: new Uint8Array(fs.readFileSync(exePath)),
    };
  } finally {
    cp.close();
  }
}

/** Write `data` as a snapshot file at `outPath` the way `gospy capture` does (0600, atomic, no overwrite unless force). */
export async function writeSnapshotFile(outPath: string, data: CaptureData, opts: WriteOptions & { force?: boolean } = {}): Promise<WriteResult> {
  return writeOutputFile(outPath, opts.force === true, (sink) => writeSnapshot(sink, data, opts));
}

/** Convert and write; returns the writer's result. */
export async function coreToSnapshot(corePath: string, exePath: string, outPath: string, opts: ConvertOptions & WriteOptions = {}): Promise<WriteResult> {
  return writeSnapshotFile(outPath, await coreToCapture(corePath, exePath, opts), opts);
}
