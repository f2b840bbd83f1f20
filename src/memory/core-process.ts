/**
 * An ELF core plus its executable, as one address space: the layering of delve's
 * pkg/proc/core/linux_core.go (readLinuxOrPlatformIndependentCore) and golang/debug internal/core:
 * the executable's PT_LOADs at vaddr + load bias (file bytes; memsz beyond filesz reads as zeros),
 * then the executable's file bytes at every NT_FILE mapping of it, then the core's PT_LOADs with
 * filesz > 0 on top (only [vaddr, vaddr+filesz)). Notes as written by the kernel's fs/binfmt_elf.c
 * and by gdb's gcore (the layout of Linux's fs/binfmt_elf.c and gdb's gcore).
 */
import type { ByteSource } from '../base/bytes.ts';
import { FormatError, MismatchError, MissingInputError, UnsupportedError } from '../base/errors.ts';
import { type Warning, WarningSink } from '../base/warnings.ts';
import {
  AT_ENTRY,
  EM_AARCH64,
  EM_X86_64,
  ET,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  NT_ARM_TLS,
  NT_AUXV,
  NT_FILE,
  NT_PRPSINFO,
  NT_PRSTATUS,
  NT_SIGINFO,
  PT_LOAD,
  PT_NOTE,
  nameOf,
} from '../format/elf/constants.ts';
import { ElfFile } from '../format/elf/file.ts';
import {
  type CoreArch,
  type FileMapping,
  type PrPsInfo,
  type SigInfo,
  type ThreadRegs,
  parseAuxv,
  parseNtFile,
  parsePrPsInfo,
  parsePrStatus,
  parseSigInfo,
} from '../format/elf/core-notes.ts';
import { u64 } from '../base/bytes.ts';
import type { MemoryImage, Region } from './image.ts';
import { SplicedImage } from './spliced.ts';
import { buildIdsInMemory, compareBuildIds } from './build-id-check.ts';
import { Executable } from './executable.ts';
import { fileRegion } from './image.ts';

export type ExeFoundBy = 'argument' | 'nt_file' | 'prpsinfo' | 'beside-core';

export interface CoreThread {
  readonly tid: number;
  readonly regs: ThreadRegs;
  /** pr_cursig: the signal the thread was handling (kernel: the dumping signal on the dumping thread). */
  readonly signal: number;
  /** arm64 tpidr_el0 from NT_ARM_TLS, when present. */
  readonly tls?: number;
}

export interface CoreProcess {
  readonly core: ElfFile;
  readonly exe: Executable;
  readonly exePath: string;
  readonly exeFoundBy: ExeFoundBy;
  /** From the core's e_machine, never from the host. */
  readonly machine: CoreArch;
  /** In note order (kernel: dumping thread first). */
  readonly threads: readonly CoreThread[];
  readonly image: MemoryImage;
  /** AT_ENTRY − exe e_entry; 0 for non-PIE executables. */
  readonly loadBias: number;
  readonly auxv: ReadonlyMap<number, number>;
  readonly files: readonly FileMapping[];
  readonly prpsinfo?: PrPsInfo;
  readonly siginfo?: SigInfo;
  readonly truncated?: { readonly missingBytes: number; readonly segments: number };
  readonly warnings: readonly Warning[];
}

export interface CoreProcessOptions {
  /** How the executable was found (default 'argument'). */
  readonly exeFoundBy?: ExeFoundBy;
  /** Skip the build-id comparison (default false). */
  readonly skipBuildIdCheck?: boolean;
}

/** What the core's notes say, before any executable is involved. */
export interface CoreNotes {
  readonly machine: CoreArch;
  readonly threads: CoreThread[];
  readonly auxv: Map<number, number>;
  readonly files: FileMapping[];
  readonly prpsinfo?: PrPsInfo;
  readonly siginfo?: SigInfo;
}

/** Parse `src` as an ELF core; anything else is a FormatError with a hint. */
export function parseCore(src: ByteSource): ElfFile {
  let core: ElfFile;
  try {
    core = ElfFile.parse(src);
  } catch (e) {
    if (e instanceof FormatError && e.hint === undefined && /not an ELF file/.test(e.message)) {
      throw new FormatError(`${src.name}`, 'not an ELF core file (no ELF magic)', 0, {
        hint: 'gospy reads core dumps: make one with `gcore PID`, or run the program with `ulimit -c unlimited` and GOTRACEBACK=crash and send SIGQUIT',
        cause: e,
      });
    }
    throw e;
  }
  const t = core.header.type;
  if (t !== ET_CORE) {
    const hint =
      t === ET_EXEC || t === ET_DYN
        ? 'this is an executable, not a core; give the core file (and the executable with --exe)'
        : 'give an ELF core file (from the kernel, gcore or gospy-capture)';
    throw new FormatError(`elf (${src.name})`, `not a core file (e_type ${nameOf(ET, t)})`, 16, { hint });
  }
  return core;
}

function archOf(core: ElfFile): CoreArch {
  const m = core.header.machine;
  if (m === EM_X86_64) return 'amd64';
  if (m === EM_AARCH64) return 'arm64';
  throw new UnsupportedError('arch', `${core.name}: core for machine ${m}; gospy reads linux/amd64 and linux/arm64 cores`);
}

/** Decode the notes of a core (threads, auxv, NT_FILE, prpsinfo, siginfo). */
export function readCoreNotes(core: ElfFile, warnings?: WarningSink): CoreNotes {
  const machine = archOf(core);
  const threads: CoreThread[] = [];
  let auxv = new Map<number, number>();
  let files: FileMapping[] = [];
  let prpsinfo: PrPsInfo | undefined;
  let siginfo: SigInfo | undefined;
  for (const ph of core.progs) {
    if (ph.type !== PT_NOTE) continue;
    for (const n of core.notes(ph)) {
      if (n.name !== 'CORE' && n.name !== 'LINUX') continue;
      try {
        if (n.type === NT_PRSTATUS && n.name === 'CORE') {
          const s = parsePrStatus(n.desc, machine, n.offset);
          threads.push({ tid: s.tid, regs: s.regs, signal: s.cursig });
        } else if (n.type === NT_ARM_TLS && machine === 'arm64' && threads.length > 0 && n.desc.length >= 8) {
          const last = threads[threads.length - 1]!;
          threads[threads.length - 1] = { ...last, tls: u64(n.desc, 0) };
        } else if (n.type === NT_PRPSINFO && n.name === 'CORE' && !prpsinfo) {
          prpsinfo = parsePrPsInfo(n.desc, n.offset);
        } else if (n.type === NT_AUXV && n.name === 'CORE') {
          auxv = parseAuxv(n.desc);
        } else if (n.type === NT_FILE && n.name === 'CORE') {
          files = [...parseNtFile(n.desc, n.offset).entries];
        } else if (n.type === NT_SIGINFO && n.name === 'CORE' && !siginfo) {
          siginfo = parseSigInfo(n.desc, n.offset);
        }
      } catch (e) {
        if (!(e instanceof FormatError) || !warnings) throw e;
        warnings.add('core-note-bad', `${e.message}; note skipped`);
      }
    }
  }
  return { machine, threads, auxv, files, ...(prpsinfo ? { prpsinfo } : {}), ...(siginfo ? { siginfo } : {}) };
}

/** The NT_FILE path of the executable: the mapping holding AT_ENTRY, else undefined. */
export function exeMappingPath(notes: CoreNotes): string | undefined {
  const entry = notes.auxv.get(AT_ENTRY);
  if (entry === undefined || !Number.isFinite(entry)) return undefined;
  return notes.files.find((f) => entry >= f.start && entry < f.end)?.path;
}


/**
 * Build the process view of `coreSource` with its executable. Throws FormatError (not a core),
 * UnsupportedError (architecture), MissingInputError (no executable), MismatchError (build ids differ).
 */
export function openCoreProcess(
  coreSource: ByteSource,
  exe: { readonly source: ByteSource; readonly path: string } | undefined,
  opts: CoreProcessOptions = {},
): CoreProcess {
  const warnings = new WarningSink();
  const core = parseCore(coreSource);
  const notes = readCoreNotes(core, warnings);
  if (!exe) {
    const rec = exeMappingPath(notes) ?? notes.prpsinfo?.fname;
    throw new MissingInputError(rec ?? '', `cannot find the executable${rec ? ` (${rec})` : ''} for core ${core.name}`, {
      hint: 'pass --exe PATH',
    });
  }
  const executable = Executable.open(exe.source, exe.path);
  const exeElf = executable.elf;
  if (exeElf.header.type !== ET_EXEC && exeElf.header.type !== ET_DYN) {
    throw new FormatError(`elf (${exe.path})`, `not an executable (e_type ${nameOf(ET, exeElf.header.type)})`, 16, {
      hint: 'pass the program binary with --exe',
    });
  }
  if (exeElf.header.machine !== core.header.machine) {
    throw new MismatchError(
      `executable ${exe.path} is for machine ${exeElf.header.machine}, the core for ${core.header.machine}`,
      { hint: 'pass the exact binary that produced the core with --exe' },
    );
  }

  // Load bias.
  const atEntry = notes.auxv.get(AT_ENTRY);
  const loadBias = executable.loadBias(atEntry, warnings);

  // Truncation: PT_LOAD / PT_NOTE bytes past the end of the core file.
  let missingBytes = 0;
  let missingSegments = 0;
  for (const p of core.progs) {
    if ((p.type !== PT_LOAD && p.type !== PT_NOTE) || p.filesz === 0) continue;
    const end = p.offset + p.filesz;
    if (end > coreSource.size) {
      missingBytes += end - Math.max(p.offset, coreSource.size);
      missingSegments++;
    }
  }
  if (missingSegments > 0) {
    warnings.add(
      'core-truncated',
      `core ${core.name} is truncated: ${missingBytes} bytes of ${missingSegments} segment(s) are past the end of the file ` +
        `(${coreSource.size} bytes); usual causes: the 'ulimit -c' size limit, a full disk while dumping, or coredump_filter. ` +
        'Memory in the missing part reads as unmapped.',
    );
  }

  // Layers.
  const exeLayer = executable.loadLayer(loadBias);
  const recorded = exeMappingPath(notes);
  const exeFileMappings =
    recorded === undefined
      ? []
      : executable.fileLayer(
          notes.files.filter((f) => f.path === recorded).map((f) => ({ start: f.start, end: f.end, fileOffset: f.fileOffsetBytes })),
        );
  const coreLayer: Region[] = [];
  for (const p of core.progs) {
    if (p.type !== PT_LOAD || p.filesz === 0) continue;
    if (!Number.isFinite(p.vaddr)) {
      // The [vsyscall] page sits at 0xffffffffff600000 in every x86-64 kernel core; it never holds Go
      // memory, so skipping it is not worth a warning.
      if (p.vaddrBig === 0xffffffffff600000n) continue;
      const what = '';
      warnings.add(
        'core-segment-unrepresentable',
        `core PT_LOAD #${p.index} at 0x${p.vaddrBig.toString(16)}${what} is above 2^53 and is skipped`,
      );
      continue;
    }
    const r = fileRegion(coreSource, p.vaddr, p.vaddr + p.filesz, p.offset, 'core', `core PT_LOAD #${p.index}`);
    if (r) coreLayer.push(r);
  }
  const image = new SplicedImage([exeLayer, exeFileMappings, coreLayer]);

  // Build-id check against the core's own copy of the executable's first page.
  if (!opts.skipBuildIdCheck) {
    const coreOnly = new SplicedImage([coreLayer]);
    const exeStart = recorded !== undefined ? notes.files.find((f) => f.path === recorded && f.fileOffsetBytes === 0)?.start : undefined;
    const firstLoad = exeElf.progs.find((p) => p.type === PT_LOAD && p.offset === 0);
    const base = exeStart ?? (firstLoad ? firstLoad.vaddr + loadBias : undefined);
    const inCore = base === undefined ? undefined : buildIdsInMemory((a, l) => coreOnly.tryRead(a, l), base);
    const inFile = { ...optional('gnu', exeElf.gnuBuildId()), ...optional('go', exeElf.goBuildId()) };
    const v = compareBuildIds(inFile, inCore);
    if (v.kind === 'mismatch') {
      throw new MismatchError(
        `executable ${exe.path} does not match the core: the core's program has ${kindName(v.which)} build id ${v.inCore}, the file has ${kindName(v.fileWhich)} build id ${v.inFile}`,
        { hint: 'pass the exact binary that produced the core with --exe' },
      );
    }
    if (v.kind === 'unchecked') {
      // Without build ids (qemu-user cores leave the executable's first page out), the entry point the
      // kernel recorded must still fit the file: the same address for a fixed executable, a
      // page-aligned shift for a PIE.
      const shift = atEntry === undefined ? 0 : atEntry - exeElf.header.entry;
      if (Number.isFinite(shift) && ((exeElf.header.type === ET_EXEC && shift !== 0) || shift % 4096 !== 0)) {
        throw new MismatchError(
          `executable ${exe.path} does not match the core: the core's program started at 0x${atEntry!.toString(16)}, the file's entry point is 0x${exeElf.header.entry.toString(16)}`,
          { hint: 'pass the exact binary that produced the core with --exe' },
        );
      }
      warnings.add('build-id-unchecked', `cannot check that ${exe.path} matches the core: ${v.reason}`);
    }
  }

  return {
    core,
    exe: executable,
    exePath: exe.path,
    exeFoundBy: opts.exeFoundBy ?? 'argument',
    machine: notes.machine,
    threads: notes.threads,
    image,
    loadBias,
    auxv: notes.auxv,
    files: notes.files,
    ...(notes.prpsinfo ? { prpsinfo: notes.prpsinfo } : {}),
    ...(notes.siginfo ? { siginfo: notes.siginfo } : {}),
    ...(missingSegments > 0 ? { truncated: { missingBytes, segments: missingSegments } } : {}),
    warnings: warnings.list,
  };
}

function optional<K extends string>(k: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: string };
}

function kindName(which: 'go' | 'gnu'): string {
  return which === 'go' ? 'Go' : 'GNU';
}
