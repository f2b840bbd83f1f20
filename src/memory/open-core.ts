/**
 * Path-level entry: open a core file (possibly compressed) and find its executable when none is
 * given, the way gdb and delve guess it: the NT_FILE mapping that holds AT_ENTRY (or the first file
 * mapped at offset 0 that is an ELF executable), else NT_PRPSINFO's pr_fname; each tried at its
 * recorded absolute path, then under the same basename next to the core.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MissingInputError } from '../base/errors.ts';
import { ET_DYN, ET_EXEC } from '../format/elf/constants.ts';
import {
  type CoreNotes,
  type CoreProcess,
  type ExeFoundBy,
  exeMappingPath,
  openCoreProcess,
  parseCore,
  readCoreNotes,
} from './core-process.ts';
import { isSupportedMachine, notAnInput, notTheExecutable } from './input-kind.ts';
import { type Compression, type OpenedInput, openInput } from './open-input.ts';

export interface OpenCoreOptions {
  /** The executable; found from the core's notes when absent. */
  readonly exePath?: string;
  readonly skipBuildIdCheck?: boolean;
}

export interface OpenedCore extends CoreProcess {
  readonly corePath: string;
  readonly coreDecompressedFrom?: Compression;
  readonly exeDecompressedFrom?: Compression;
  /** Close both files. */
  close(): void;
}

interface Candidate {
  readonly recorded: string;
  readonly by: 'nt_file' | 'prpsinfo';
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isElfExecutable(p: string): boolean {
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const b = new Uint8Array(18);
      fs.readSync(fd, b, 0, 18, 0);
      const t = b[16]! | (b[17]! << 8);
      return b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46 && (t === ET_EXEC || t === ET_DYN);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Recorded executable paths, best first. */
export function exeCandidates(notes: CoreNotes): Candidate[] {
  const out: Candidate[] = [];
  const byEntry = exeMappingPath(notes);
  if (byEntry !== undefined) out.push({ recorded: byEntry, by: 'nt_file' });
  for (const f of notes.files) {
    if (f.fileOffsetBytes === 0 && !out.some((c) => c.recorded === f.path) && isElfExecutable(f.path)) {
      out.push({ recorded: f.path, by: 'nt_file' });
      break;
    }
  }
  const argv0 = notes.prpsinfo?.psargs.split(' ')[0];
  if (argv0 && path.isAbsolute(argv0)) out.push({ recorded: argv0, by: 'prpsinfo' });
  const fname = notes.prpsinfo?.fname;
  if (fname) out.push({ recorded: fname, by: 'prpsinfo' });
  return out;
}

/** Where the executable is on disk, and how it was found; undefined when nowhere. */
export function findExecutable(notes: CoreNotes, corePath: string): { path: string; by: ExeFoundBy } | undefined {
  const dir = path.dirname(corePath);
  for (const c of exeCandidates(notes)) {
    const rec = c.recorded.replace(/ \(deleted\)$/, '');
    if (path.isAbsolute(rec) && isFile(rec)) return { path: rec, by: c.by };
    const beside = path.join(dir, path.basename(rec));
    // pr_fname is only a basename, so for it "beside the core" is how PRPSINFO finds it.
    if (beside !== corePath && isFile(beside)) return { path: beside, by: c.by === 'prpsinfo' ? 'prpsinfo' : 'beside-core' };
  }
  return undefined;
}

/**
 * Open the core at `corePath` (xz/gzip/zstd handled) with its executable. Throws what
 * openCoreFrom throws.
 */
export async function openCore(corePath: string, opts: OpenCoreOptions = {}): Promise<OpenedCore> {
  return openCoreFrom(await openInput(corePath), opts);
}

/**
 * The core in `coreIn` (opened by openInput; closed here on failure) with its executable: the one
 * given, else the one found from the core's notes. Throws FormatError/UnsupportedError when either
 * file is not what it should be (input-kind.ts says what it is instead), MismatchError for an
 * executable of another architecture, MissingInputError when the executable cannot be found, plus
 * everything openCoreProcess throws.
 */
export async function openCoreFrom(coreIn: OpenedInput, opts: OpenCoreOptions = {}): Promise<OpenedCore> {
  const corePath = coreIn.originalPath;
  let exeIn: OpenedInput | undefined;
  try {
    const k = coreIn.kind;
    if (k.kind !== 'elf-core' || !isSupportedMachine(k.machine)) throw notAnInput(corePath, k);
    let by: ExeFoundBy = 'argument';
    let exePath = opts.exePath;
    if (exePath === undefined) {
      const notes = readCoreNotes(parseCore(coreIn.source));
      const found = findExecutable(notes, corePath);
      if (!found) {
        const rec = exeCandidates(notes)[0]?.recorded;
        throw new MissingInputError(
          rec ?? corePath,
          `cannot find the executable${rec ? ` ${rec}` : ''} that produced ${corePath}`,
          { hint: 'pass --exe PATH' },
        );
      }
      exePath = found.path;
      by = found.by;
    }
    exeIn = await openInput(exePath);
    const wrongExe = notTheExecutable(exePath, exeIn.kind, k.machine);
    if (wrongExe) throw wrongExe;
    const proc = openCoreProcess(coreIn.source, { source: exeIn.source, path: exePath }, {
      exeFoundBy: by,
      ...(opts.skipBuildIdCheck ? { skipBuildIdCheck: true } : {}),
    });
    const ex = exeIn;
    return {
      ...proc,
      warnings: [...coreIn.warnings, ...ex.warnings, ...proc.warnings],
      corePath,
      ...(coreIn.decompressedFrom ? { coreDecompressedFrom: coreIn.decompressedFrom } : {}),
      ...(ex.decompressedFrom ? { exeDecompressedFrom: ex.decompressedFrom } : {}),
      close() {
        coreIn.source.close();
        ex.source.close();
      },
    };
  } catch (e) {
    coreIn.source.close();
    exeIn?.source.close();
    throw e;
  }
}
