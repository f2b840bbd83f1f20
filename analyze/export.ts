/**
 * `gospy export snap.gsz --core OUT [--exe OUT] [--force]` (arguments checked by
 * analyze/commands/export.ts): turns a gospy snapshot into a standard
 * ELF core (src/format/elf/core-writer.ts) that `dlv core EXE OUT` and `gdb EXE OUT` open, and/or
 * writes out the executable embedded in the snapshot. Outputs hold the process's secrets: written
 * 0600, atomically (temporary file + rename), never over an existing file without --force.
 */
import * as path from 'node:path';
import { TruncatedError } from '../src/base/errors.ts';
import { checkOutputFree, commitTempOutput, discardTempOutput, openTempOutput, writeAllAt } from '../src/base/output-file.ts';
import { AT_ENTRY, PF_R, PF_W, PF_X } from '../src/format/elf/constants.ts';
import { parseAuxv, regsetSize } from '../src/format/elf/core-notes.ts';
import { type CoreFileMapping, type CoreInput, type CoreSegment, coreChunks } from '../src/format/elf/core-writer.ts';
import type { Snapshot, SnapshotRun } from '../src/format/snapshot/reader.ts';
import { openSnapshot } from '../src/memory/snapshot-image.ts';
import type { Session } from './session.ts';

export interface ExportArgs {
  readonly file: string;
  readonly core?: string | undefined;
  readonly exe?: string | undefined;
  readonly force: boolean;
}


const PIECE = 4 << 20;

/** Write `chunks` to `outPath` 0600 through a temporary file in the same directory; returns bytes written. */
export function writeAtomic(outPath: string, chunks: Iterable<Uint8Array>, force: boolean): number {
  checkOutputFree(outPath, force);
  const t = openTempOutput(outPath);
  try {
    let pos = 0;
    for (const c of chunks) {
      writeAllAt(t.fd, c, pos);
      pos += c.length;
    }
    commitTempOutput(t, outPath, force);
    return pos;
  } catch (e) {
    discardTempOutput(t);
    throw e;
  }
}

/** A snapshot that holds less than its index promises: cut short (a copy or download that stopped early). */
function snapshotCut(detail: string): TruncatedError {
  return new TruncatedError(`the snapshot is truncated: ${detail}`, {
    hint: 'the file was cut short (an interrupted copy or a full disk?): copy it again, or capture again',
  });
}

function flagsOf(perms: string): number {
  return (perms[0] === 'r' ? PF_R : 0) | (perms[1] === 'w' ? PF_W : 0) | (perms[2] === 'x' ? PF_X : 0);
}

/** The snapshot's mappings of its executable (those with the path of the mapping holding AT_ENTRY). */
export function exeMappings(snap: Snapshot): CoreFileMapping[] {
  const atEntry = parseAuxv(snap.auxv).get(AT_ENTRY);
  const entryMap = atEntry === undefined ? undefined : snap.maps.find((m) => atEntry >= m.start && atEntry < m.end);
  const exePath = entryMap?.path ?? snap.meta.exePath;
  return snap.maps
    .filter((m) => m.path === exePath && m.path !== '' && Number.isSafeInteger(m.start) && Number.isSafeInteger(m.end))
    .map((m) => ({ start: m.start, end: m.end, fileOffset: Number.isSafeInteger(m.offset) ? m.offset : 0, path: m.path }));
}

interface Piece {
  readonly run: SnapshotRun;
  readonly start: number;
  readonly end: number;
}

/** One segment over pieces [start, end) of consecutive runs. */
function dataSegment(pieces: Piece[], flags: number): CoreSegment {
  const start = pieces[0]!.start;
  const end = pieces[pieces.length - 1]!.end;
  return {
    vaddr: start,
    memsz: end - start,
    filesz: end - start,
    flags,
    *data() {
      for (const p of pieces) {
        for (let a = p.start; a < p.end; a += PIECE) {
          const n = Math.min(PIECE, p.end - a);
          const b = p.run.read(a, n);
          if (b.length !== n) throw snapshotCut(`${p.run.label} has ${b.length} of ${n} bytes at 0x${a.toString(16)}`);
          yield b;
        }
      }
    },
  };
}

/** Captured memory as PT_LOADs: contiguous captured bytes inside each mapping, and empty ones for mappings with none. */
export function coreSegments(snap: Snapshot): CoreSegment[] {
  const runs = [...snap.memoryRuns()].sort((a, b) => a.start - b.start);
  const maps = snap.maps.filter((m) => Number.isSafeInteger(m.start) && Number.isSafeInteger(m.end) && m.end > m.start);
  const segs: CoreSegment[] = [];
  const covered: Piece[] = [];
  for (const m of maps) {
    const flags = flagsOf(m.perms);
    const inside: Piece[] = [];
    for (const r of runs) {
      if (r.end <= m.start) continue;
      if (r.start >= m.end) break;
      inside.push({ run: r, start: Math.max(r.start, m.start), end: Math.min(r.end, m.end) });
    }
    if (inside.length === 0) {
      segs.push({ vaddr: m.start, memsz: m.end - m.start, filesz: 0, flags });
      continue;
    }
    covered.push(...inside);
    let group: Piece[] = [];
    for (const p of inside) {
      if (group.length > 0 && group[group.length - 1]!.end !== p.start) {
        segs.push(dataSegment(group, flags));
        group = [];
      }
      group.push(p);
    }
    segs.push(dataSegment(group, flags));
  }
  // Captured bytes outside every recorded mapping (not expected): keep them, readable and writable.
  covered.sort((a, b) => a.start - b.start);
  for (const r of runs) {
    let cur = r.start;
    for (const c of covered) {
      if (c.run !== r) continue;
      if (c.start > cur) segs.push(dataSegment([{ run: r, start: cur, end: c.start }], PF_R | PF_W));
      cur = Math.max(cur, c.end);
    }
    if (cur < r.end) segs.push(dataSegment([{ run: r, start: cur, end: r.end }], PF_R | PF_W));
  }
  return segs.sort((a, b) => a.vaddr - b.vaddr);
}

/** Everything the core writer needs, from a snapshot. */
export function coreInputOf(snap: Snapshot): CoreInput {
  const { meta } = snap;
  const want = regsetSize(meta.arch);
  const threads = snap.threads
    .filter((t) => t.stopped && t.regs.length >= want)
    .map((t) => ({ tid: t.tid, regs: t.regs, ...(t.tls === undefined ? {} : { tls: t.tls }) }));
  const argv0 = meta.cmdline[0] ?? meta.exePath;
  return {
    arch: meta.arch,
    pageSize: meta.pageSize,
    threads,
    process: {
      pid: meta.nsPid ?? meta.pid,
      state: snap.threads[0]?.state,
      fname: path.basename(argv0).slice(0, 15),
      psargs: meta.cmdline.join(' '),
    },
    auxv: snap.auxv,
    files: exeMappings(snap),
    segments: coreSegments(snap),
  };
}

function* exeChunks(snap: Snapshot): Generator<Uint8Array> {
  for (let off = 0; off < snap.exe.size; off += 16 << 20) {
    const n = Math.min(16 << 20, snap.exe.size - off);
    const b = snap.exe.read(off, n);
    if (b.length !== n) throw snapshotCut(`${snap.name}: its executable ends at byte ${off + b.length} of ${snap.exe.size}`);
    yield b;
  }
}

export async function runExport(args: ExportArgs, session: Session): Promise<void> {
  // Refuse before doing any work: an output that exists, or that cannot be written.
  for (const p of [args.core, args.exe]) if (p !== undefined) checkOutputFree(p, args.force);
  const snap = openSnapshot(args.file);
  try {
    const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
    if (args.core !== undefined) {
      const input = coreInputOf(snap);
      if (input.threads.length === 0) {
        await session.warn([{ kind: 'export-no-registers', message: 'the snapshot has no thread registers (e.g. --nonblocking): debuggers will find no threads in the core' }]);
      }
      const n = writeAtomic(args.core, coreChunks(input), args.force);
      await session.note([`gospy: wrote ${args.core} (ELF core, ${input.threads.length} threads, ${input.segments.length} PT_LOADs, ${mib(n)} MiB)\n`]);
    }
    if (args.exe !== undefined) {
      const n = writeAtomic(args.exe, exeChunks(snap), args.force);
      await session.note([`gospy: wrote ${args.exe} (executable, ${mib(n)} MiB)\n`]);
    }
  } finally {
    snap.close();
  }
}
