/**
 * Minimal ELF64 little-endian reader for the gosym tests only (sections, .symtab, PT_LOAD reads).
 * Not a substitute for src/format/elf: no validation beyond what the tests need.
 */
import { u32, u64, cString } from '../../../src/base/bytes.ts';
import type { PclnContext } from '../../../src/format/gosym/index.ts';

export interface MiniSection { name: string; addr: number; off: number; size: number; type: number }
export interface MiniElf {
  bytes: Uint8Array;
  sections: MiniSection[];
  symbols: Map<string, number>;
  loads: { vaddr: number; off: number; filesz: number }[];
  section(name: string): MiniSection | undefined;
  read(addr: number, len: number): Uint8Array | undefined;
}

export function openElf(b: Uint8Array): MiniElf {
  if (u32(b, 0) !== 0x464c457f || b[4] !== 2 || b[5] !== 1) throw new Error('not ELF64 LE');
  const phoff = u64(b, 0x20), shoff = u64(b, 0x28);
  const phentsize = b[0x36]! | (b[0x37]! << 8), phnum = b[0x38]! | (b[0x39]! << 8);
  const shentsize = b[0x3a]! | (b[0x3b]! << 8), shnum = b[0x3c]! | (b[0x3d]! << 8), shstrndx = b[0x3e]! | (b[0x3f]! << 8);
  const raw: { nameOff: number; type: number; addr: number; off: number; size: number; link: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({ nameOff: u32(b, o), type: u32(b, o + 4), addr: u64(b, o + 0x10), off: u64(b, o + 0x18), size: u64(b, o + 0x20), link: u32(b, o + 0x28) });
  }
  const strOff = raw[shstrndx]?.off ?? 0;
  const sections = raw.map((s) => ({ name: cString(b, strOff + s.nameOff), addr: s.addr, off: s.off, size: s.size, type: s.type }));
  const symbols = new Map<string, number>();
  const symtab = raw.find((s) => s.type === 2);
  if (symtab) {
    const strtab = raw[symtab.link]!;
    for (let o = symtab.off; o + 24 <= symtab.off + symtab.size; o += 24) {
      const name = cString(b, strtab.off + u32(b, o), 1024);
      if (name && !symbols.has(name)) symbols.set(name, u64(b, o + 8));
    }
  }
  const loads: MiniElf['loads'] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (u32(b, o) === 1) loads.push({ vaddr: u64(b, o + 0x10), off: u64(b, o + 8), filesz: u64(b, o + 0x20) });
  }
  return {
    bytes: b, sections, symbols, loads,
    section: (name) => sections.find((s) => s.name === name),
    read(addr, len) {
      for (const l of loads) {
        if (addr >= l.vaddr && addr + len <= l.vaddr + l.filesz) return b.subarray(l.off + addr - l.vaddr, l.off + addr - l.vaddr + len);
      }
      return undefined;
    },
  };
}

/**
 * moduledata.text / moduledata.gofunc for stripped files: find firstmoduledata by scanning writable data
 * for the pclntab address (go-binary.md §4.3) and read the fields at the per-version offsets (§4.1).
 */
function fromModuledata(elf: MiniElf, pclnAddr: number, magic: number, goMinor: number | undefined): { text?: number; gofunc?: number } {
  const b = elf.bytes;
  for (const s of elf.sections) {
    if (!['.noptrdata', '.go.module', '.data'].includes(s.name)) continue;
    for (let o = s.off; o + 8 <= s.off + s.size; o += 8) {
      if (u64(b, o) !== pclnAddr) continue;
      if (magic === 0xfffffffb) {
        if (u64(b, o + 8) !== u64(b, o + 16)) continue;
        return { text: u64(b, o + 96) };
      }
      const text = u64(b, o + 176);
      // 1.27 has typedesclen (a small length) at +304 where 1.20–1.26 have etypes (an address)
      const is127 = goMinor !== undefined ? goMinor >= 27 : u64(b, o + 304) < text;
      const gofuncOff = magic === 0xfffffff0 ? 304 : is127 ? 344 : 320;
      return magic === 0xfffffffa ? { text } : { text, gofunc: u64(b, o + gofuncOff) };
    }
  }
  return {};
}

/** pclntab bytes plus a context with link-time addresses (bias 0) for a Go ELF (symbols, else moduledata). */
export function pclnFromElf(elf: MiniElf, goMinor?: number): { data: Uint8Array; ctx: PclnContext } {
  const sec = elf.section('.gopclntab') ?? elf.section('.data.rel.ro.gopclntab');
  if (!sec) throw new Error('no .gopclntab section');
  const data = elf.bytes.subarray(sec.off, sec.off + sec.size);
  let textStart = elf.symbols.get('runtime.text');
  let gofunc = elf.symbols.get('go:func.*') ?? elf.symbols.get('go.func.*');
  if (textStart === undefined) {
    const md = fromModuledata(elf, sec.addr, u32(data, 0), goMinor);
    textStart = md.text ?? elf.section('.text')!.addr;
    gofunc ??= md.gofunc;
  }
  const ctx: PclnContext = { textStart, linkBias: 0, readMemory: (a, n) => elf.read(a, n) };
  if (gofunc !== undefined) ctx.gofunc = gofunc;
  if (goMinor !== undefined) ctx.goMinor = goMinor;
  return { data, ctx };
}
