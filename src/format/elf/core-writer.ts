/**
 * Writes a Linux ELF core file (bytes only, no I/O): the layout `dlv core` and gdb accept
 * (the layout Linux writes, fs/binfmt_elf.c; docs/snapshot-format.md). One PT_NOTE first — NT_PRSTATUS per thread (the first
 * is the thread debuggers show first), NT_PRPSINFO, NT_AUXV, NT_FILE — then one PT_LOAD per segment
 * at a page-aligned file offset, like the kernel. Segments with no bytes get filesz 0 (readers take
 * them from the mapped file, or treat them as not dumped). Over 65534 segments, e_phnum is PN_XNUM
 * and section header 0 holds the real count.
 */
import { EM_AARCH64, EM_X86_64, ET_CORE, NT_ARM_TLS, NT_AUXV, NT_FILE, NT_PRPSINFO, NT_PRSTATUS, PN_XNUM, PT_LOAD, PT_NOTE } from './constants.ts';
import { PRSTATUS_REG_OFFSET, regsetSize, type CoreArch } from './core-notes.ts';

export interface CoreThread {
  readonly tid: number;
  /** The general-purpose regset, exactly pr_reg (216 bytes amd64, 272 arm64). */
  readonly regs: Uint8Array;
  /** arm64 TPIDR_EL0, written as NT_ARM_TLS after the thread's NT_PRSTATUS. */
  readonly tls?: number | undefined;
}

export interface CoreProcessInfo {
  readonly pid: number;
  readonly ppid?: number | undefined;
  /** Kernel state letter of the process ('R', 'S', …). */
  readonly state?: string | undefined;
  /** comm (cut to 15 bytes). */
  readonly fname: string;
  /** Command line, joined by spaces (cut to 79 bytes). */
  readonly psargs: string;
}

export interface CoreFileMapping {
  readonly start: number;
  readonly end: number;
  /** Offset in the file, in bytes (a multiple of the page size). */
  readonly fileOffset: number;
  readonly path: string;
}

export interface CoreSegment {
  readonly vaddr: number;
  readonly memsz: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
  /** Bytes stored in the file for [vaddr, vaddr+filesz); 0 for none. */
  readonly filesz: number;
  /** The filesz bytes, in order, read lazily (chunks must add up to exactly filesz). */
  readonly data?: (() => Iterable<Uint8Array>) | undefined;
}

export interface CoreInput {
  readonly arch: CoreArch;
  readonly pageSize: number;
  /** First = the current thread. */
  readonly threads: readonly CoreThread[];
  readonly process: CoreProcessInfo;
  /** Raw /proc/PID/auxv. */
  readonly auxv: Uint8Array;
  /** NT_FILE entries; give only the executable's mappings for delve (it maps every entry onto the exe). */
  readonly files: readonly CoreFileMapping[];
  /** PT_LOADs, sorted by address. */
  readonly segments: readonly CoreSegment[];
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const PRSTATUS_SIZE: Record<CoreArch, number> = { amd64: 336, arm64: 392 };
const PRPSINFO_SIZE = 136;

const enc = new TextEncoder();
const align = (n: number, a: number): number => Math.ceil(n / a) * a;

function setU64(v: DataView, off: number, n: number): void {
  v.setBigUint64(off, BigInt(n), true);
}

function note(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nameBytes = enc.encode(`${name}\0`);
  const out = new Uint8Array(12 + align(nameBytes.length, 4) + align(desc.length, 4));
  const v = new DataView(out.buffer);
  v.setUint32(0, nameBytes.length, true);
  v.setUint32(4, desc.length, true);
  v.setUint32(8, type >>> 0, true);
  out.set(nameBytes, 12);
  out.set(desc, 12 + align(nameBytes.length, 4));
  return out;
}

/** NT_PRSTATUS desc: pr_pid at 32, pr_reg at 112 (pr_fpvalid 0: no FP notes are written). */
export function prstatusDesc(arch: CoreArch, t: CoreThread, p: CoreProcessInfo): Uint8Array {
  const want = regsetSize(arch);
  if (t.regs.length < want) throw new RangeError(`thread ${t.tid}: regset has ${t.regs.length} bytes, ${arch} needs ${want}`);
  const d = new Uint8Array(PRSTATUS_SIZE[arch]);
  const v = new DataView(d.buffer);
  v.setInt32(32, t.tid, true);
  v.setInt32(36, p.ppid ?? 0, true);
  v.setInt32(40, p.pid, true);
  v.setInt32(44, p.pid, true);
  d.set(t.regs.subarray(0, want), PRSTATUS_REG_OFFSET);
  return d;
}

function cstr(d: Uint8Array, off: number, s: string, max: number): void {
  const b = enc.encode(s).subarray(0, max);
  d.set(b, off);
}

/** NT_PRPSINFO desc (136 bytes). */
export function prpsinfoDesc(p: CoreProcessInfo): Uint8Array {
  const d = new Uint8Array(PRPSINFO_SIZE);
  const v = new DataView(d.buffer);
  const sname = (p.state ?? 'R').charAt(0) || 'R';
  d[0] = Math.max(0, 'RSDTZW'.indexOf(sname));
  d[1] = sname.charCodeAt(0) & 0x7f;
  v.setInt32(24, p.pid, true);
  v.setInt32(28, p.ppid ?? 0, true);
  v.setInt32(32, p.pid, true);
  v.setInt32(36, p.pid, true);
  cstr(d, 40, p.fname, 15);
  cstr(d, 56, p.psargs, 79);
  return d;
}

/** NT_FILE desc: count, page size, count × {start, end, file_ofs in pages}, count × path. */
export function ntFileDesc(files: readonly CoreFileMapping[], pageSize: number): Uint8Array {
  const paths = files.map((f) => enc.encode(`${f.path}\0`));
  const size = 16 + 24 * files.length + paths.reduce((n, p) => n + p.length, 0);
  const d = new Uint8Array(size);
  const v = new DataView(d.buffer);
  setU64(v, 0, files.length);
  setU64(v, 8, pageSize);
  files.forEach((f, i) => {
    setU64(v, 16 + 24 * i, f.start);
    setU64(v, 24 + 24 * i, f.end);
    setU64(v, 32 + 24 * i, Math.floor(f.fileOffset / pageSize));
  });
  let o = 16 + 24 * files.length;
  for (const p of paths) {
    d.set(p, o);
    o += p.length;
  }
  return d;
}

/** The PT_NOTE contents, in the order the kernel writes them (thread 1's PRSTATUS first). */
export function coreNotes(input: CoreInput): Uint8Array {
  const parts: Uint8Array[] = [];
  input.threads.forEach((t, i) => {
    parts.push(note('CORE', NT_PRSTATUS, prstatusDesc(input.arch, t, input.process)));
    if (input.arch === 'arm64' && t.tls !== undefined) {
      const tls = new Uint8Array(8);
      setU64(new DataView(tls.buffer), 0, t.tls);
      parts.push(note('LINUX', NT_ARM_TLS, tls));
    }
    if (i === 0) {
      parts.push(note('CORE', NT_PRPSINFO, prpsinfoDesc(input.process)));
      parts.push(note('CORE', NT_AUXV, input.auxv));
      parts.push(note('CORE', NT_FILE, ntFileDesc(input.files, input.pageSize)));
    }
  });
  if (input.threads.length === 0) {
    parts.push(note('CORE', NT_PRPSINFO, prpsinfoDesc(input.process)));
    parts.push(note('CORE', NT_AUXV, input.auxv));
    parts.push(note('CORE', NT_FILE, ntFileDesc(input.files, input.pageSize)));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface CoreLayout {
  /** ELF header, program headers, optional section header 0 and the notes, padded to the first segment. */
  readonly head: Uint8Array;
  /** File offset of each segment's data. */
  readonly offsets: readonly number[];
  /** Total file size. */
  readonly size: number;
}

/** Lay out the core: everything up to the first segment's data, and where each segment goes. */
export function layoutCore(input: CoreInput): CoreLayout {
  const page = input.pageSize;
  const notes = coreNotes(input);
  const phnum = 1 + input.segments.length;
  const xnum = phnum >= PN_XNUM;
  const phoff = EHDR_SIZE;
  const shoff = xnum ? phoff + phnum * PHDR_SIZE : 0;
  const notesOff = align((xnum ? shoff + SHDR_SIZE : phoff + phnum * PHDR_SIZE), 4);
  let pos = align(notesOff + notes.length, page);
  const offsets: number[] = [];
  for (const s of input.segments) {
    if (!Number.isSafeInteger(s.vaddr) || !Number.isSafeInteger(s.memsz) || s.filesz > s.memsz || s.filesz < 0) {
      throw new RangeError(`segment at ${s.vaddr}: bad size (filesz ${s.filesz}, memsz ${s.memsz})`);
    }
    offsets.push(pos);
    if (s.filesz > 0) pos = align(pos + s.filesz, page);
  }
  const size = pos;
  const firstData = offsets.length > 0 ? offsets[0]! : align(notesOff + notes.length, page);
  const head = new Uint8Array(Math.max(firstData, notesOff + notes.length));
  const v = new DataView(head.buffer);
  // e_ident
  head.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* LSB */, 1 /* EV_CURRENT */, 0 /* SYSV */], 0);
  v.setUint16(16, ET_CORE, true);
  v.setUint16(18, input.arch === 'arm64' ? EM_AARCH64 : EM_X86_64, true);
  v.setUint32(20, 1, true);
  setU64(v, 24, 0);
  setU64(v, 32, phoff);
  setU64(v, 40, shoff);
  v.setUint32(48, 0, true);
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, xnum ? PN_XNUM : phnum, true);
  v.setUint16(58, xnum ? SHDR_SIZE : 0, true);
  v.setUint16(60, xnum ? 1 : 0, true);
  v.setUint16(62, 0, true);
  // PT_NOTE
  let ph = phoff;
  v.setUint32(ph, PT_NOTE, true);
  v.setUint32(ph + 4, 0, true);
  setU64(v, ph + 8, notesOff);
  setU64(v, ph + 32, notes.length);
  setU64(v, ph + 48, 4);
  ph += PHDR_SIZE;
  input.segments.forEach((s, i) => {
    v.setUint32(ph, PT_LOAD, true);
    v.setUint32(ph + 4, s.flags, true);
    setU64(v, ph + 8, offsets[i]!);
    setU64(v, ph + 16, s.vaddr);
    setU64(v, ph + 24, 0);
    setU64(v, ph + 32, s.filesz);
    setU64(v, ph + 40, s.memsz);
    setU64(v, ph + 48, page);
    ph += PHDR_SIZE;
  });
  if (xnum) {
    // Section header 0 (SHT_NULL): sh_info = the real number of program headers.
    v.setUint32(shoff + 44, phnum, true);
  }
  head.set(notes, notesOff);
  return { head, offsets, size };
}

/**
 * The whole core as a stream of chunks, in file order (padding included): concatenated, they are
 * the file. Segment data is pulled from `segment.data` only as the stream reaches it.
 */
export function* coreChunks(input: CoreInput): Generator<Uint8Array> {
  const layout = layoutCore(input);
  yield layout.head;
  let pos = layout.head.length;
  for (let i = 0; i < input.segments.length; i++) {
    const s = input.segments[i]!;
    if (s.filesz === 0) continue;
    const off = layout.offsets[i]!;
    if (off > pos) yield new Uint8Array(off - pos);
    pos = off;
    let written = 0;
    for (const c of s.data?.() ?? []) {
      if (written + c.length > s.filesz) throw new RangeError(`segment at 0x${s.vaddr.toString(16)}: more data than filesz ${s.filesz}`);
      yield c;
      written += c.length;
    }
    if (written !== s.filesz) throw new RangeError(`segment at 0x${s.vaddr.toString(16)}: ${written} bytes of data, filesz ${s.filesz}`);
    pos += written;
  }
  if (layout.size > pos) yield new Uint8Array(layout.size - pos);
}
