/**
 * A deliberately tiny ELF64 little-endian reader for tests that need real section bytes before
 * src/format/elf is ready: section data by name (SHF_COMPRESSED zlib and legacy .zdebug_*
 * decompressed), .symtab lookup, PT_LOAD segments, and a BuildInfoSource adapter. Not for src/.
 */
import { inflateSync } from 'node:zlib';
import type { BuildInfoSource } from '../../src/format/buildinfo/buildinfo.ts';
import type { DwarfSections } from '../../src/format/dwarf/index.ts';

interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  off: number;
  size: number;
  link: number;
}
interface Segment {
  flags: number;
  off: number;
  vaddr: number;
  filesz: number;
}

export class MiniElf {
  readonly bytes: Uint8Array;
  readonly sections: Section[] = [];
  readonly segments: Segment[] = [];
  readonly #dv: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[4] !== 2 || bytes[5] !== 1) throw new Error('mini-elf: not ELF64 LE');
    const phoff = this.#u64(0x20);
    const shoff = this.#u64(0x28);
    const phnum = this.#dv.getUint16(0x38, true);
    const shnum = this.#dv.getUint16(0x3c, true);
    const shstrndx = this.#dv.getUint16(0x3e, true);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * 56;
      if (this.#dv.getUint32(o, true) !== 1) continue;
      this.segments.push({ flags: this.#dv.getUint32(o + 4, true), off: this.#u64(o + 8), vaddr: this.#u64(o + 16), filesz: this.#u64(o + 32) });
    }
    const raw: (Omit<Section, 'name'> & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * 64;
      raw.push({
        nameOff: this.#dv.getUint32(o, true),
        type: this.#dv.getUint32(o + 4, true),
        flags: this.#u64(o + 8),
        addr: this.#u64(o + 16),
        off: this.#u64(o + 24),
        size: this.#u64(o + 32),
        link: this.#dv.getUint32(o + 40, true),
      });
    }
    const strtab = raw[shstrndx];
    for (const r of raw) this.sections.push({ ...r, name: strtab ? this.#cstr(strtab.off + r.nameOff) : '' });
  }

  #u64(o: number): number {
    return Number(this.#dv.getBigUint64(o, true));
  }
  #cstr(o: number): string {
    let e = o;
    while (this.bytes[e] !== 0) e++;
    return new TextDecoder().decode(this.bytes.subarray(o, e));
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Section contents, decompressed (SHF_COMPRESSED or .zdebug_*); undefined if absent or NOBITS. */
  sectionData(name: string): Uint8Array | undefined {
    const z = name.startsWith('.debug_') ? this.section('.zdebug_' + name.slice(7)) : undefined;
    if (z !== undefined) {
      const d = this.bytes.subarray(z.off, z.off + z.size);
      return new Uint8Array(inflateSync(d.subarray(12)));
    }
    const s = this.section(name);
    if (s === undefined || s.type === 8) return undefined;
    const d = this.bytes.subarray(s.off, s.off + s.size);
    if (s.flags & 0x800) return new Uint8Array(inflateSync(d.subarray(24)));
    return d;
  }

  dwarfSections(): DwarfSections | undefined {
    const info = this.sectionData('.debug_info');
    const abbrev = this.sectionData('.debug_abbrev');
    if (info === undefined || abbrev === undefined) return undefined;
    return {
      info,
      abbrev,
      str: this.sectionData('.debug_str'),
      lineStr: this.sectionData('.debug_line_str'),
      addr: this.sectionData('.debug_addr'),
      strOffsets: this.sectionData('.debug_str_offsets'),
    };
  }

  /** Value of a .symtab symbol. */
  symbol(name: string): number | undefined {
    const st = this.section('.symtab');
    if (st === undefined) return undefined;
    const strs = this.sections[st.link]!;
    for (let o = st.off; o + 24 <= st.off + st.size; o += 24) {
      if (this.#cstr(strs.off + this.#dv.getUint32(o, true)) === name) return this.#u64(o + 8);
    }
    return undefined;
  }

  buildInfoSource(): BuildInfoSource {
    const seg = (w: boolean) =>
      this.segments.filter((s) => ((s.flags & 2) !== 0) === w).map((s) => ({ vaddr: s.vaddr, data: this.bytes.subarray(s.off, s.off + s.filesz) }));
    return {
      ptrSize: 8,
      section: (name) => {
        const s = this.section(name);
        return s === undefined || s.type === 8 ? undefined : { addr: s.addr, data: this.bytes.subarray(s.off, s.off + s.size) };
      },
      writableSegments: () => seg(true),
      readonlySegments: () => seg(false),
      readVirtual: (addr, len) => {
        for (const s of this.segments) {
          if (addr >= s.vaddr && addr + len <= s.vaddr + s.filesz) return this.bytes.subarray(s.off + addr - s.vaddr, s.off + addr - s.vaddr + len);
        }
        return undefined;
      },
    };
  }
}
