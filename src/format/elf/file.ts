/**
 * A small, lazy ELF64 little-endian reader, after Go's src/debug/elf/file.go and the ELF-64 Object
 * File Format spec (v1.5) / glibc <elf.h>: file header, program headers (with PN_XNUM), section
 * headers (optional: kernel cores have none), section names, compressed sections, .symtab, notes,
 * build ids and reads by link-time virtual address through PT_LOADs.
 *
 * Only headers are read up front; section data, symbols and notes are read on demand through a
 * ByteSource, so multi-GB cores are never loaded whole. Every count and length read from the file is
 * checked against the source size before anything is allocated.
 *
 * 64-bit addresses: `vaddr`, `memsz`, `entry`, `addr`, `value` are numbers, and NaN when the field
 * does not fit in 2^53 (e.g. the vsyscall page 0xffffffffff600000). The exact value is always kept
 * in the matching `*Big` bigint field. File offsets and sizes above 2^53 lie past any real file and
 * are kept as (approximate) large numbers, which every bounds check rejects.
 */
import type { ByteSource } from '../../base/bytes.ts';
import { u16, u32, u64, u64Big, cString, utf8 } from '../../base/bytes.ts';
import { FormatError, TruncatedError, UnsupportedError } from '../../base/errors.ts';
import {
  ELFCLASS64,
  ELFDATA2LSB,
  NT_GNU_BUILD_ID,
  NT_GO_BUILD_ID,
  PN_XNUM,
  PT,
  PT_LOAD,
  PT_NOTE,
  SHF_COMPRESSED,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_SYMTAB,
  nameOf,
} from './constants.ts';
import { type ElfNote, parseNotes } from './notes.ts';
import { decompressChdr, decompressZdebug } from './compressed.ts';
import { type ElfSymbol, parseSymtab } from './symbols.ts';

export type { ElfNote } from './notes.ts';
export type { ElfSymbol } from './symbols.ts';

export interface ElfHeader {
  readonly osabi: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  /** NaN when above 2^53 (see entryBig). */
  readonly entry: number;
  readonly entryBig: bigint;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  /** The real count (PN_XNUM resolved). */
  readonly phnum: number;
  readonly shentsize: number;
  /** The real count (e_shnum 0 with sections resolved from section 0's sh_size). */
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ProgHeader {
  readonly index: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  /** NaN when above 2^53: the address is not representable as a number (see vaddrBig). */
  readonly vaddr: number;
  readonly vaddrBig: bigint;
  readonly paddr: number;
  readonly filesz: number;
  /** NaN when above 2^53 (see memszBig). */
  readonly memsz: number;
  readonly memszBig: bigint;
  readonly align: number;
}

export interface SectionHeader {
  readonly index: number;
  readonly name: string;
  readonly nameOffset: number;
  readonly type: number;
  /** Low 32 bits of sh_flags (every defined flag); flagsBig has all 64. */
  readonly flags: number;
  readonly flagsBig: bigint;
  /** NaN when above 2^53 (see addrBig). */
  readonly addr: number;
  readonly addrBig: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;

/** Number of a 64-bit file field: exact below 2^53, else an over-large number that fails bounds checks. */
function big2num(b: bigint): number {
  return Number(b);
}

export class ElfFile {
  readonly src: ByteSource;
  readonly header: ElfHeader;
  readonly progs: readonly ProgHeader[];
  private sectionsCache: readonly SectionHeader[] | undefined;
  private symbolsCache: Map<string, ElfSymbol> | undefined;
  private symbolListCache: readonly ElfSymbol[] | undefined;

  private constructor(src: ByteSource, header: ElfHeader, progs: readonly ProgHeader[]) {
    this.src = src;
    this.header = header;
    this.progs = progs;
  }

  /** Parse the ELF header and program headers of `src`. Throws FormatError / UnsupportedError / TruncatedError. */
  static parse(src: ByteSource): ElfFile {
    const name = src.name;
    const e = src.read(0, EHDR_SIZE);
    if (e.length < 4 || e[0] !== 0x7f || e[1] !== 0x45 || e[2] !== 0x4c || e[3] !== 0x46) {
      const magic = Array.from(e.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
      throw new FormatError(`elf (${name})`, `not an ELF file (magic '${magic}')`, 0);
    }
    if (e.length < 16) throw new TruncatedError(`elf (${name}): file ends inside the ELF identification`);
    if (e[4] !== ELFCLASS64) {
      throw new UnsupportedError('elf-class', `${name}: only 64-bit ELF files are supported (EI_CLASS ${e[4]})`);
    }
    if (e[5] !== ELFDATA2LSB) {
      throw new UnsupportedError('elf-endian', `${name}: only little-endian ELF files are supported (EI_DATA ${e[5]})`);
    }
    if (e.length < EHDR_SIZE) throw new TruncatedError(`elf (${name}): file ends inside the ELF header (${e.length} bytes)`);
    const phoff = big2num(u64Big(e, 32));
    const shoff = big2num(u64Big(e, 40));
    const phentsize = u16(e, 54);
    const ephnum = u16(e, 56);
    const shentsize = u16(e, 58);
    const eshnum = u16(e, 60);
    const eshstrndx = u16(e, 62);

    // Section 0 carries the real counts when they overflow the 16-bit header fields.
    let phnum = ephnum;
    let shnum = eshnum;
    let shstrndx = eshstrndx;
    if (shoff !== 0) {
      if (shentsize < SHDR_SIZE) throw new FormatError(`elf (${name})`, `bad e_shentsize ${shentsize}`, 58);
      const s0 = src.read(shoff, SHDR_SIZE);
      if (s0.length === SHDR_SIZE) {
        if (eshnum === 0) shnum = big2num(u64Big(s0, 32));
        if (ephnum === PN_XNUM) phnum = u32(s0, 44);
        if (eshstrndx === SHN_XINDEX) shstrndx = u32(s0, 40);
      } else if (eshnum === 0 || ephnum === PN_XNUM) {
        throw new TruncatedError(`elf (${name}): section header 0 at 0x${shoff.toString(16)} is past the end of the file`);
      }
    } else {
      shnum = 0;
    }
    if (phnum > 0 && phentsize < PHDR_SIZE) throw new FormatError(`elf (${name})`, `bad e_phentsize ${phentsize}`, 54);
    const entry = u64(e, 24);
    const header: ElfHeader = {
      osabi: e[7]!,
      type: u16(e, 16),
      machine: u16(e, 18),
      version: u32(e, 20),
      entry,
      entryBig: u64Big(e, 24),
      phoff,
      shoff,
      flags: u32(e, 48),
      ehsize: u16(e, 52),
      phentsize,
      phnum,
      shentsize,
      shnum,
      shstrndx,
    };

    // Program headers: check the table fits before reading it.
    const progs: ProgHeader[] = [];
    if (phnum > 0) {
      const tableLen = phnum * phentsize;
      if (phoff + tableLen > src.size) {
        throw new TruncatedError(
          `elf (${name}): ${phnum} program headers at 0x${phoff.toString(16)} need ${tableLen} bytes, ` +
            `but the file is only ${src.size} bytes (truncated or corrupt)`,
        );
      }
      const t = src.read(phoff, tableLen);
      for (let i = 0; i < phnum; i++) {
        const o = i * phentsize;
        const vaddrBig = u64Big(t, o + 16);
        const memszBig = u64Big(t, o + 40);
        progs.push({
          index: i,
          type: u32(t, o),
          flags: u32(t, o + 4),
          offset: big2num(u64Big(t, o + 8)),
          vaddr: u64(t, o + 16),
          vaddrBig,
          paddr: u64(t, o + 24),
          filesz: big2num(u64Big(t, o + 32)),
          memsz: u64(t, o + 40),
          memszBig,
          align: big2num(u64Big(t, o + 48)),
        });
      }
    }
    return new ElfFile(src, header, progs);
  }

  get name(): string {
    return this.src.name;
  }

  /** Section headers with names; empty when the file has none (kernel cores). Read on first use. */
  get sections(): readonly SectionHeader[] {
    if (this.sectionsCache) return this.sectionsCache;
    const h = this.header;
    const out: SectionHeader[] = [];
    if (h.shnum > 0) {
      const tableLen = h.shnum * h.shentsize;
      if (h.shoff + tableLen > this.src.size) {
        throw new TruncatedError(
          `elf (${this.name}): ${h.shnum} section headers at 0x${h.shoff.toString(16)} need ${tableLen} bytes, ` +
            `but the file is only ${this.src.size} bytes (truncated or corrupt)`,
        );
      }
      const t = this.src.read(h.shoff, tableLen);
      const raw: Omit<SectionHeader, 'name'>[] = [];
      for (let i = 0; i < h.shnum; i++) {
        const o = i * h.shentsize;
        const flagsBig = u64Big(t, o + 8);
        raw.push({
          index: i,
          nameOffset: u32(t, o),
          type: u32(t, o + 4),
          flags: u32(t, o + 8),
          flagsBig,
          addr: u64(t, o + 16),
          addrBig: u64Big(t, o + 16),
          offset: big2num(u64Big(t, o + 24)),
          size: big2num(u64Big(t, o + 32)),
          link: u32(t, o + 40),
          info: u32(t, o + 44),
          addralign: big2num(u64Big(t, o + 48)),
          entsize: big2num(u64Big(t, o + 56)),
        });
      }
      const strtab = raw[h.shstrndx];
      let names: Uint8Array | undefined;
      if (strtab && strtab.type !== SHT_NOBITS && strtab.offset + strtab.size <= this.src.size) {
        names = this.src.read(strtab.offset, strtab.size);
      }
      for (const r of raw) {
        const name = names && r.nameOffset < names.length ? cString(names, r.nameOffset, 1024) : '';
        out.push({ ...r, name });
      }
    }
    this.sectionsCache = out;
    return out;
  }

  /** The first section called `name`, or undefined. */
  section(name: string): SectionHeader | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Raw bytes of a section as stored in the file (no decompression). */
  sectionRaw(sh: SectionHeader): Uint8Array {
    const what = `elf section ${sh.name || sh.index} (${this.name})`;
    if (sh.type === SHT_NOBITS) throw new FormatError(what, 'SHT_NOBITS section has no bytes in the file');
    if (sh.offset + sh.size > this.src.size) {
      throw new TruncatedError(
        `${what}: [0x${sh.offset.toString(16)}, +0x${sh.size.toString(16)}) extends past the end of the file (${this.src.size} bytes)`,
      );
    }
    return this.src.read(sh.offset, sh.size);
  }

  /** Section contents, decompressed when SHF_COMPRESSED (zlib/zstd) or a GNU `.zdebug_*` section. */
  sectionData(sh: SectionHeader): Uint8Array {
    const raw = this.sectionRaw(sh);
    const what = `elf section ${sh.name || sh.index} (${this.name})`;
    if ((sh.flags & SHF_COMPRESSED) !== 0) return decompressChdr(raw, what, sh.offset);
    if (sh.name.startsWith('.zdebug_')) return decompressZdebug(raw, what, sh.offset);
    return raw;
  }

  /** The .symtab symbols by name (first wins on duplicates); empty map when there is no .symtab. */
  symbols(): ReadonlyMap<string, ElfSymbol> {
    if (this.symbolsCache) return this.symbolsCache;
    const m = new Map<string, ElfSymbol>();
    for (const s of this.symbolList()) if (s.name !== '' && !m.has(s.name)) m.set(s.name, s);
    this.symbolsCache = m;
    return m;
  }

  /** The .symtab symbols in table order (index 0, the null symbol, left out). */
  symbolList(): readonly ElfSymbol[] {
    if (this.symbolListCache) return this.symbolListCache;
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    let list: ElfSymbol[] = [];
    if (symtab) {
      const strtab = this.sections[symtab.link];
      if (!strtab) throw new FormatError(`elf .symtab (${this.name})`, `sh_link ${symtab.link} names no section`);
      list = parseSymtab(this.sectionData(symtab), this.sectionData(strtab), symtab.offset);
    }
    this.symbolListCache = list;
    return list;
  }

  /** Bytes of a segment or section that are present in the file (cut at EOF). */
  private presentBytes(where: ProgHeader | SectionHeader): { data: Uint8Array; offset: number } {
    const len = 'filesz' in where ? where.filesz : where.size;
    const avail = Math.max(0, Math.min(len, this.src.size - where.offset));
    return { data: avail > 0 ? this.src.read(where.offset, avail) : new Uint8Array(0), offset: where.offset };
  }

  /**
   * Notes of a PT_NOTE segment or SHT_NOTE section. Stops quietly at the end of the file (a cut-off
   * core keeps its complete notes); a malformed note header throws FormatError.
   */
  *notes(where: ProgHeader | SectionHeader): Generator<ElfNote> {
    const { data, offset } = this.presentBytes(where);
    const align = 'filesz' in where ? where.align : where.addralign;
    const truncated = data.length < ('filesz' in where ? where.filesz : where.size);
    try {
      yield* parseNotes(data, offset, align);
    } catch (e) {
      if (!truncated) throw e;
    }
  }

  /** Every note: from SHT_NOTE sections when the file has sections, else from PT_NOTE segments. */
  *allNotes(): Generator<ElfNote> {
    const secs = this.sections.filter((s) => s.type === SHT_NOTE);
    if (secs.length > 0) {
      for (const s of secs) yield* this.notes(s);
      return;
    }
    for (const p of this.progs) if (p.type === PT_NOTE) yield* this.notes(p);
  }

  private findNote(name: string, type: number): ElfNote | undefined {
    for (const n of this.allNotes()) if (n.name === name && n.type === type) return n;
    return undefined;
  }

  /** The GNU build id (name "GNU", type 3) as lowercase hex, or undefined. */
  gnuBuildId(): string | undefined {
    const n = this.findNote('GNU', NT_GNU_BUILD_ID);
    return n ? Array.from(n.desc, (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
  }

  /** The Go build id (name "Go", type 4) as a string, or undefined. */
  goBuildId(): string | undefined {
    const n = this.findNote('Go', NT_GO_BUILD_ID);
    return n ? utf8(n.desc) : undefined;
  }

  /** The PT_LOAD whose [vaddr, vaddr+memsz) holds `vaddr` (link-time address), or undefined. */
  segmentForAddr(vaddr: number): ProgHeader | undefined {
    for (const p of this.progs) {
      if (p.type === PT_LOAD && vaddr >= p.vaddr && vaddr - p.vaddr < p.memsz) return p;
    }
    return undefined;
  }

  /**
   * File-backed bytes at link-time address [vaddr, vaddr+len) through one PT_LOAD, or undefined when
   * the range is not wholly inside the file part ([vaddr, vaddr+filesz)) of one segment, or past EOF.
   */
  readVirtual(vaddr: number, len: number): Uint8Array | undefined {
    for (const p of this.progs) {
      if (p.type !== PT_LOAD || !(vaddr >= p.vaddr)) continue;
      const rel = vaddr - p.vaddr;
      if (rel + len > p.filesz) continue;
      const off = p.offset + rel;
      if (off + len > this.src.size) return undefined;
      return this.src.read(off, len);
    }
    return undefined;
  }

  /** `PT_LOAD`-style name of a program header type. */
  static progTypeName(type: number): string {
    return nameOf(PT, type);
  }
}
