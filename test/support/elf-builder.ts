/**
 * Builds small synthetic ELF64 little-endian files in memory for unit tests: executables with
 * PT_LOADs, a "Go" build-id note, optional section headers and a .symtab; and cores with a PT_NOTE
 * (NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE, NT_SIGINFO) and PT_LOADs. Layout mirrors the ELF-64
 * spec and the kernel's binfmt_elf.c core writer.
 */

export interface SegmentSpec {
  type?: number; // default PT_LOAD
  flags?: number;
  vaddr: bigint | number;
  /** File bytes (filesz = data.length unless filesz given). */
  data?: Uint8Array;
  filesz?: number;
  memsz?: number;
  align?: number;
  /** Force p_offset (e.g. past EOF). */
  offset?: number;
}

export interface SectionSpec {
  name: string;
  type: number;
  flags?: number;
  addr?: number;
  data: Uint8Array;
  link?: number | string;
  info?: number;
  entsize?: number;
  addralign?: number;
}

export interface ElfSpec {
  type: number; // ET_*
  machine?: number;
  entry?: number;
  segments?: SegmentSpec[];
  sections?: SectionSpec[];
  /** Write e_phnum = 0xffff and the real count in section 0 (needs section headers). */
  pnXnum?: boolean;
}

export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u32(v: number): this {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint): this {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  align(a: number): this {
    while (this.length % a !== 0) this.u8(0);
    return this;
  }
  cstr(s: string): this {
    return this.bytes(new TextEncoder().encode(s)).u8(0);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** One note record, name and desc padded to 4. */
export function note(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nm = new TextEncoder().encode(name);
  return new Bytes()
    .u32(nm.length + 1)
    .u32(desc.length)
    .u32(type)
    .bytes(nm)
    .u8(0)
    .align(4)
    .bytes(desc)
    .align(4)
    .done();
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const b = new Bytes();
  for (const p of parts) b.bytes(p);
  return b.done();
}

/** amd64 NT_PRSTATUS desc (336 bytes) with the given registers set (by user_regs_struct name). */
export function prstatusAmd64(tid: number, regs: Partial<Record<'rip' | 'rsp' | 'rbp' | 'r14' | 'fs_base', number | bigint>>, cursig = 0): Uint8Array {
  const idx = { r14: 1, rbp: 4, rip: 16, rsp: 19, fs_base: 21 } as const;
  const b = new Uint8Array(336);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, cursig, true);
  dv.setUint16(12, cursig, true);
  dv.setInt32(32, tid, true);
  for (const [k, v] of Object.entries(regs)) dv.setBigUint64(112 + idx[k as keyof typeof idx] * 8, BigInt(v), true);
  dv.setUint32(328, 1, true);
  return b;
}

/** arm64 NT_PRSTATUS desc (392 bytes); regs by index 0..33 (x0..x30, sp=31, pc=32, pstate=33). */
export function prstatusArm64(tid: number, regs: Record<number, number | bigint>): Uint8Array {
  const b = new Uint8Array(392);
  const dv = new DataView(b.buffer);
  dv.setInt32(32, tid, true);
  for (const [k, v] of Object.entries(regs)) dv.setBigUint64(112 + Number(k) * 8, BigInt(v), true);
  return b;
}

export function prpsinfo(pid: number, fname: string, psargs: string, sname = 'R'): Uint8Array {
  const b = new Uint8Array(136);
  const dv = new DataView(b.buffer);
  b[1] = sname.charCodeAt(0);
  dv.setInt32(24, pid, true);
  b.set(new TextEncoder().encode(fname).subarray(0, 15), 40);
  b.set(new TextEncoder().encode(psargs).subarray(0, 79), 56);
  return b;
}

export function auxv(entries: [number, number | bigint][]): Uint8Array {
  const b = new Bytes();
  for (const [t, v] of entries) b.u64(t).u64(v);
  return b.u64(0).u64(0).done();
}

export function ntFile(pageSize: number, entries: { start: number; end: number; pageOffset: number; path: string }[]): Uint8Array {
  const b = new Bytes().u64(entries.length).u64(pageSize);
  for (const e of entries) b.u64(e.start).u64(e.end).u64(e.pageOffset);
  for (const e of entries) b.cstr(e.path);
  return b.done();
}

export function siginfo(signo: number, code: number, errno = 0): Uint8Array {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, signo, true);
  dv.setInt32(4, errno, true);
  dv.setInt32(8, code, true);
  return b;
}

/** Build an ELF64 LE file: header, program headers, segment data, section data, section headers. */
export function buildElf(spec: ElfSpec): Uint8Array {
  const segs = spec.segments ?? [];
  const secs = spec.sections ?? [];
  const hasSecs = secs.length > 0 || spec.pnXnum === true;
  const phoff = 64;
  let off = phoff + segs.length * 56;
  // Segment data placement.
  const segOff: number[] = [];
  for (const s of segs) {
    off = Math.ceil(off / 8) * 8;
    segOff.push(s.offset ?? off);
    if (s.offset === undefined) off += s.data?.length ?? 0;
  }
  // Sections: null section + given + .shstrtab.
  const shstr = new Bytes().u8(0);
  const nameOff: number[] = [];
  for (const s of secs) {
    nameOff.push(shstr.length);
    shstr.cstr(s.name);
  }
  const shstrNameOff = shstr.length;
  shstr.cstr('.shstrtab');
  const shstrData = shstr.done();
  const secOff: number[] = [];
  for (const s of secs) {
    off = Math.ceil(off / 8) * 8;
    secOff.push(off);
    off += s.data.length;
  }
  const shstrOff = off;
  off += shstrData.length;
  off = Math.ceil(off / 8) * 8;
  const shoff = hasSecs ? off : 0;
  const shnum = hasSecs ? secs.length + 2 : 0;

  const b = new Bytes();
  b.bytes(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])).zeros(8);
  b.u16(spec.type).u16(spec.machine ?? 62).u32(1).u64(spec.entry ?? 0);
  b.u64(segs.length > 0 ? phoff : 0).u64(shoff).u32(0).u16(64).u16(56);
  b.u16(spec.pnXnum ? 0xffff : segs.length).u16(64).u16(shnum).u16(hasSecs ? shnum - 1 : 0);
  segs.forEach((s, i) => {
    const filesz = s.filesz ?? s.data?.length ?? 0;
    b.u32(s.type ?? 1).u32(s.flags ?? 4).u64(segOff[i]!).u64(s.vaddr).u64(s.vaddr).u64(filesz);
    b.u64(s.memsz ?? filesz).u64(s.align ?? 0x1000);
  });
  for (const s of segs) {
    if (s.offset !== undefined) continue;
    b.align(8);
    if (s.data) b.bytes(s.data);
  }
  secs.forEach((s, i) => {
    while (b.length < secOff[i]!) b.u8(0);
    b.bytes(s.data);
  });
  while (b.length < shstrOff) b.u8(0);
  b.bytes(shstrData);
  if (hasSecs) {
    while (b.length < shoff) b.u8(0);
    // Section 0: carries the PN_XNUM count in sh_info.
    b.zeros(44).u32(spec.pnXnum ? segs.length : 0).zeros(16);
    secs.forEach((s, i) => {
      const link = typeof s.link === 'string' ? secs.findIndex((x) => x.name === s.link) + 1 : (s.link ?? 0);
      b.u32(nameOff[i]!).u32(s.type).u64(s.flags ?? 0).u64(s.addr ?? 0).u64(secOff[i]!).u64(s.data.length);
      b.u32(link).u32(s.info ?? 0).u64(s.addralign ?? 1).u64(s.entsize ?? 0);
    });
    b.u32(shstrNameOff).u32(3).u64(0).u64(0).u64(shstrOff).u64(shstrData.length).u32(0).u32(0).u64(1).u64(0);
  }
  return b.done();
}

/** A .symtab + .strtab pair for the given symbols. */
export function symtab(syms: { name: string; value: number | bigint; size?: number; info?: number; shndx?: number }[]): {
  symtab: Uint8Array;
  strtab: Uint8Array;
} {
  const str = new Bytes().u8(0);
  const tab = new Bytes().zeros(24);
  for (const s of syms) {
    const n = str.length;
    str.cstr(s.name);
    tab.u32(n).u8(s.info ?? 0x12).u8(0).u16(s.shndx ?? 1).u64(s.value).u64(s.size ?? 0);
  }
  return { symtab: tab.done(), strtab: str.done() };
}

/** A tiny "Go" executable: one text PT_LOAD at `base` holding an ELF header copy and a Go build-id note. */
export function goExe(opts: { base?: number; buildId: string; type?: number; entry?: number; machine?: number }): Uint8Array {
  const base = opts.base ?? 0x400000;
  // The first PT_LOAD maps the whole 0x2000-byte file from offset 0 (header, phdrs, note, "text").
  const noteBytes = note('Go', 4, new TextEncoder().encode(opts.buildId));
  const size = 0x2000;
  const hdr = buildElf({
      type: opts.type ?? 2,
      ...(opts.machine !== undefined ? { machine: opts.machine } : {}),
      entry: opts.entry ?? base + 0x1000,
      segments: [
        { vaddr: base, offset: 0, filesz: size, memsz: size + 0x1000, flags: 5 },
        { type: 4, vaddr: base + 64 + 2 * 56, offset: 64 + 2 * 56, filesz: noteBytes.length, align: 4 },
      ],
    });
  const file = new Uint8Array(size);
  file.set(hdr);
  file.set(noteBytes, 64 + 2 * 56);
  for (let i = 0x1000; i < 0x2000; i++) file[i] = i & 0xff;
  return file;
}

export interface CoreSpec {
  machine?: number;
  threads: Uint8Array[]; // NT_PRSTATUS descs
  prpsinfo?: Uint8Array;
  siginfo?: Uint8Array;
  auxv?: Uint8Array;
  ntFile?: Uint8Array;
  loads: SegmentSpec[];
}

/** A kernel-style core: one PT_NOTE (PRSTATUS₁, PRPSINFO, SIGINFO, AUXV, FILE, PRSTATUS₂…) then PT_LOADs, no sections. */
export function buildCore(spec: CoreSpec): Uint8Array {
  const [first, ...rest] = spec.threads;
  const parts: Uint8Array[] = [];
  if (first) parts.push(note('CORE', 1, first));
  if (spec.prpsinfo) parts.push(note('CORE', 3, spec.prpsinfo));
  if (spec.siginfo) parts.push(note('CORE', 0x53494749, spec.siginfo));
  if (spec.auxv) parts.push(note('CORE', 6, spec.auxv));
  if (spec.ntFile) parts.push(note('CORE', 0x46494c45, spec.ntFile));
  for (const t of rest) parts.push(note('CORE', 1, t));
  return buildElf({
    type: 4,
    ...(spec.machine !== undefined ? { machine: spec.machine } : {}),
    segments: [{ type: 4, vaddr: 0, data: concat(...parts), align: 4, flags: 0 }, ...spec.loads],
  });
}
