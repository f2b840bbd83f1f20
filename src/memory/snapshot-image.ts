/**
 * A gospy snapshot as one address space, layered like an ELF core (core-process.ts): the
 * executable's PT_LOADs at vaddr + load bias, the executable file's bytes at each mapping of it
 * (from the recorded /proc/PID/maps), then the captured memory on top. The executable is the copy
 * inside the snapshot; nothing is read from the original path. Captured chunks are decompressed
 * only when a read touches them.
 */
import * as fs from 'node:fs';
import { FormatError, MismatchError } from '../base/errors.ts';
import { type Warning, WarningSink } from '../base/warnings.ts';
import { AT_ENTRY, ET, EM_AARCH64, EM_X86_64, nameOf } from '../format/elf/constants.ts';
import { parseAuxv } from '../format/elf/core-notes.ts';
import { SNAPSHOT_MAGIC } from '../format/snapshot/schema.ts';
import { readSnapshot, type Snapshot, type SnapshotFile, isSnapshotMagic } from '../format/snapshot/reader.ts';
import type { MemoryImage, Region } from './image.ts';
import { SplicedImage } from './spliced.ts';
import { Executable } from './executable.ts';
import { openFileSource } from './file-source.ts';

const SNAPSHOT_MAGIC_BYTES = new TextEncoder().encode(SNAPSHOT_MAGIC);

export interface SnapshotProcess {
  readonly snapshot: Snapshot;
  readonly exe: Executable;
  readonly image: MemoryImage;
  /** AT_ENTRY − e_entry; 0 for non-PIE executables. */
  readonly loadBias: number;
  readonly auxv: ReadonlyMap<number, number>;
  readonly warnings: readonly Warning[];
}

export interface OpenedSnapshot extends SnapshotFile {
  close(): void;
}

/** Whether the file at `p` starts with the snapshot magic (false when unreadable). */
export function isSnapshotFile(p: string): boolean {
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const b = new Uint8Array(8);
      const n = fs.readSync(fd, b, 0, 8, 0);
      // A snapshot cut to fewer than 8 bytes still goes to the snapshot reader, which says it is truncated.
      return n >= 4 && n < 8 ? isSnapshotMagic(new Uint8Array([...b.subarray(0, n), ...SNAPSHOT_MAGIC_BYTES.subarray(n)])) : isSnapshotMagic(b.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Open the .gsz file at `p` (see format/snapshot/reader.ts for the errors). */
export function openSnapshot(p: string, opts: { cacheBytes?: number } = {}): OpenedSnapshot {
  const src = openFileSource(p);
  try {
    const snap = readSnapshot(src, opts);
    return Object.assign(snap, { close: () => src.close() });
  } catch (e) {
    src.close();
    throw e;
  }
}

/** Build the process view of `snap`: its executable, the layered memory image and the load bias. */
export function snapshotProcess(snap: Snapshot): SnapshotProcess {
  const warnings = new WarningSink();
  const exe = Executable.open(snap.exe, snap.meta.exePath);
  if (!exe.isProgram) {
    throw new FormatError(`snapshot ${snap.name} executable`, `not an executable (e_type ${nameOf(ET, exe.elf.header.type)})`, 16, {
      hint: 'the snapshot is corrupt; capture again',
    });
  }
  const wantMachine = snap.meta.arch === 'arm64' ? EM_AARCH64 : EM_X86_64;
  if (exe.elf.header.machine !== wantMachine) {
    throw new MismatchError(`snapshot ${snap.name}: its executable is for machine ${exe.elf.header.machine}, the process is ${snap.meta.arch}`);
  }
  const auxv = parseAuxv(snap.auxv);
  const atEntry = auxv.get(AT_ENTRY);
  const loadBias = exe.loadBias(atEntry, warnings, 'the snapshot');

  // The executable's mappings: those with the path of the mapping that holds AT_ENTRY.
  const entryMap = atEntry === undefined ? undefined : snap.maps.find((m) => atEntry >= m.start && atEntry < m.end);
  const exeMapPath = entryMap?.path ?? snap.meta.exePath;
  const fileMaps = snap.maps
    .filter((m) => m.path === exeMapPath && m.path !== '')
    .map((m) => ({ start: m.start, end: m.end, fileOffset: m.offset }));

  const captured: Region[] = snap.memoryRuns().map((r) => ({ start: r.start, end: r.end, origin: 'core', label: r.label, read: r.read }));
  const image = new SplicedImage([exe.loadLayer(loadBias), exe.fileLayer(fileMaps), captured]);

  if (snap.meta.partial) {
    const which = snap.meta.unstoppedThreads.length > 0 ? ` (threads ${snap.meta.unstoppedThreads.join(', ')})` : '';
    warnings.add('snapshot-partial', `the capture could not stop every thread${which}: their registers are missing and what they touched may be inconsistent`);
  }
  if (snap.meta.nonblocking) {
    warnings.add('snapshot-nonblocking', 'the snapshot was taken without stopping the process (--nonblocking): memory may be torn');
  }
  if (snap.meta.exeBuildId !== undefined) {
    const ids = [exe.gnuBuildId(), exe.goBuildId()].filter((x) => x !== undefined);
    if (ids.length > 0 && !ids.includes(snap.meta.exeBuildId)) {
      warnings.add('snapshot-build-id', `the snapshot's executable has build id ${ids.join(' / ')}, the capture recorded ${snap.meta.exeBuildId}`);
    }
  }
  return { snapshot: snap, exe, image, loadBias, auxv, warnings: warnings.list };
}
