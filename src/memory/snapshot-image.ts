/**
 * A gospy snapshot as one address space, layered like an ELF core (core-process.ts): the
 * executable's PT_LOADs at vaddr + load bias, the executable file's bytes at each mapping of it
 * (from the recorded /proc/PID/maps), then the captured memory on top. The executable is the copy
 * inside the snapshot; nothing is read from the original path. Captured chunks are decompressed
 * only when a read touches them.
 */
import type { ByteSource } from '../base/bytes.ts';
import { FormatError, MismatchError } from '../base/errors.ts';
import { type Warning, WarningSink } from '../base/warnings.ts';
import { AT_ENTRY, ET, EM_AARCH64, EM_X86_64, nameOf } from '../format/elf/constants.ts';
import { parseAuxv } from '../format/elf/core-notes.ts';
import { ElfFile } from '../format/elf/file.ts';
import { readSnapshot, type Snapshot, type SnapshotFile } from '../format/snapshot/reader.ts';
import type { MemoryImage, Region } from './image.ts';
import { SplicedImage } from './spliced.ts';
import { Executable } from './executable.ts';
import { type FileSource, openFileSource } from './file-source.ts';
import { machineName } from './input-kind.ts';

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

/** Open the .gsz file at `p` (see format/snapshot/reader.ts for the errors). */
export function openSnapshot(p: string, opts: { cacheBytes?: number } = {}): OpenedSnapshot {
  return openSnapshotFrom(openFileSource(p), opts);
}

/** The snapshot `src` holds (closed with it, or here on failure). */
export function openSnapshotFrom(src: FileSource, opts: { cacheBytes?: number } = {}): OpenedSnapshot {
  try {
    const snap = readSnapshot(src, opts);
    return Object.assign(snap, { close: () => src.close() });
  } catch (e) {
    src.close();
    throw e;
  }
}

/** The ELF machine of a snapshot's process. */
export function snapshotMachine(snap: Snapshot): number {
  return snap.meta.arch === 'arm64' ? EM_AARCH64 : EM_X86_64;
}

/**
 * Whether the executable `exe` (`exePath`, from --exe) is the build `snap` carries: the same GNU
 * or Go build id when both have one, else the same bytes. A snapshot never needs --exe; a
 * different build given anyway is refused rather than silently ignored, the same build gets a
 * note that it was not needed.
 */
export function checkExeForSnapshot(snap: Snapshot, exe: ByteSource, exePath: string): Warning {
  const own = ElfFile.parse(snap.exe);
  const given = ElfFile.parse(exe);
  const ids = (f: ElfFile): [string | undefined, string | undefined] => [f.gnuBuildId(), f.goBuildId()];
  const [ownGnu, ownGo] = ids(own);
  const [gnu, go] = ids(given);
  let same: boolean;
  let what: string;
  if (ownGnu !== undefined && gnu !== undefined) [same, what] = [ownGnu === gnu, `GNU build id ${gnu}, the snapshot's ${ownGnu}`];
  else if (ownGo !== undefined && go !== undefined) [same, what] = [ownGo === go, `Go build id ${go}, the snapshot's ${ownGo}`];
  else [same, what] = [sameBytes(snap.exe, exe), 'different bytes and no build id to compare'];
  if (!same) {
    throw new MismatchError(`--exe ${exePath} is not the executable of snapshot ${snap.name} (${what}); a snapshot carries its own executable`, {
      hint: 'drop --exe: the snapshot is read with the executable it recorded',
    });
  }
  return { kind: 'exe-not-needed', message: `--exe ${exePath} is not needed: the snapshot carries its own copy of that executable` };
}

function sameBytes(a: ByteSource, b: ByteSource): boolean {
  if (a.size !== b.size) return false;
  const step = 1 << 20;
  for (let off = 0; off < a.size; off += step) {
    const x = a.read(off, step);
    const y = b.read(off, step);
    if (x.length !== y.length || !x.every((v, i) => v === y[i])) return false;
  }
  return true;
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
  const wantMachine = snapshotMachine(snap);
  if (exe.elf.header.machine !== wantMachine) {
    throw new MismatchError(
      `snapshot ${snap.name}: its executable is for ${machineName(exe.elf.header.machine)}, the process for ${machineName(wantMachine)}`,
      { hint: 'the snapshot is corrupt; capture again' },
    );
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
