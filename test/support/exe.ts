/**
 * Sample executables opened with the real ELF reader (src/format/elf), plus the few steps several
 * tests and benches repeat on them: the DWARF sections, and the pclntab with its PclnContext
 * (link-time addresses from .symtab, or from firstmoduledata found by scanning in stripped files).
 */
import { readFileSync } from 'node:fs';
import { xz } from '@napi-rs/lzma';
import { BufferSource } from '../../src/base/bytes.ts';
import { SHT_NOBITS } from '../../src/format/elf/constants.ts';
import { ElfFile } from '../../src/format/elf/file.ts';
import type { DwarfSections } from '../../src/format/dwarf/index.ts';
import type { PclnContext } from '../../src/format/gosym/index.ts';
import { openFileSource } from '../../src/memory/file-source.ts';
import { Executable } from '../../src/memory/executable.ts';
import { findModuledata } from '../../src/runtime/symbols/moduledata-scan.ts';

/** Parse the executable at `path`: an `.xz` file is decompressed in memory, anything else is read in place. */
export function openExe(path: string): ElfFile {
  if (!path.endsWith('.xz')) return ElfFile.parse(openFileSource(path));
  return ElfFile.parse(new BufferSource(new Uint8Array(xz.decompressSync(readFileSync(path))), path));
}

/** Decompressed contents of a section (a `.debug_*` name also finds its GNU `.zdebug_*` form); undefined if absent or NOBITS. */
export function sectionBytes(elf: ElfFile, name: string): Uint8Array | undefined {
  const sh = elf.section(name) ?? (name.startsWith('.debug_') ? elf.section(`.zdebug_${name.slice(7)}`) : undefined);
  return sh === undefined || sh.type === SHT_NOBITS ? undefined : elf.sectionData(sh);
}

/** The DWARF sections parseDwarf needs, or undefined when .debug_info or .debug_abbrev is missing. */
export function dwarfSections(elf: ElfFile): DwarfSections | undefined {
  const info = sectionBytes(elf, '.debug_info');
  const abbrev = sectionBytes(elf, '.debug_abbrev');
  if (info === undefined || abbrev === undefined) return undefined;
  return {
    info,
    abbrev,
    str: sectionBytes(elf, '.debug_str'),
    lineStr: sectionBytes(elf, '.debug_line_str'),
    addr: sectionBytes(elf, '.debug_addr'),
    strOffsets: sectionBytes(elf, '.debug_str_offsets'),
  };
}

/** Value of a .symtab symbol (the first of that name), or undefined. */
export function symbolValue(elf: ElfFile, name: string): number | undefined {
  return elf.symbols().get(name)?.value;
}

/** pclntab bytes plus a context with link-time addresses (bias 0) for a Go ELF (symbols, else moduledata). */
export function pclnFromElf(elf: ElfFile, goMinor?: number): { data: Uint8Array; ctx: PclnContext } {
  const sec = elf.section('.gopclntab') ?? elf.section('.data.rel.ro.gopclntab');
  let data = sec ? elf.sectionData(sec) : undefined;
  let textStart = symbolValue(elf, 'runtime.text');
  let gofunc = symbolValue(elf, 'go:func.*') ?? symbolValue(elf, 'go.func.*');
  if (textStart === undefined || data === undefined) {
    // stripped: the same moduledata scan gospy uses (src/runtime/symbols/moduledata-scan.ts)
    const img = new Executable(elf, elf.name);
    const md = findModuledata(img, goMinor);
    if (!md) throw new Error('no pclntab/moduledata found');
    data ??= img.read(md.pclnAddr, md.pclnEnd - md.pclnAddr);
    if (data === undefined) throw new Error('pclntab is not in the file');
    textStart = md.text;
    gofunc ??= md.gofunc;
  }
  const ctx: PclnContext = { textStart, linkBias: 0, readMemory: (a, n) => elf.readVirtual(a, n) };
  if (gofunc !== undefined) ctx.gofunc = gofunc;
  if (goMinor !== undefined) ctx.goMinor = goMinor;
  return { data, ctx };
}
