/**
 * The executable's part of a process address space, shared by cores (core-process.ts) and gospy
 * snapshots (snapshot-image.ts): the load bias from AT_ENTRY, the executable's PT_LOADs at
 * vaddr + bias (file bytes, then zero-fill up to memsz), and the file's bytes at each mapping of it.
 * These layers lie under the captured memory, so pages a dump left out (text, rodata, pclntab) are
 * read from the file.
 */
import type { ByteSource } from '../base/bytes.ts';
import type { WarningSink } from '../base/warnings.ts';
import { ET_DYN, ET_EXEC, PT_LOAD } from '../format/elf/constants.ts';
import type { ElfFile } from '../format/elf/file.ts';
import type { Region } from './image.ts';

const hx = (n: number): string => `0x${n.toString(16)}`;

/** Bytes of `src` from `fileOff` at [start, end), cut to what the file really has. */
export function fileRegion(src: ByteSource, start: number, end: number, fileOff: number, origin: Region['origin'], label: string): Region | undefined {
  const avail = Math.min(end - start, src.size - fileOff);
  if (!(avail > 0)) return undefined;
  return {
    start,
    end: start + avail,
    origin,
    label,
    read: (addr, len) => src.read(fileOff + (addr - start), len),
  };
}

/**
 * Runtime address − link-time address: AT_ENTRY − e_entry. Non-PIE executables always get 0 (with
 * a warning when AT_ENTRY disagrees); a PIE without AT_ENTRY gets 0 with a warning.
 */
export function loadBiasOf(exe: ElfFile, exePath: string, atEntry: number | undefined, warnings: WarningSink, source = 'the core'): number {
  if (atEntry !== undefined && Number.isFinite(atEntry) && Number.isFinite(exe.header.entry)) {
    const bias = atEntry - exe.header.entry;
    if (exe.header.type === ET_EXEC && bias !== 0) {
      warnings.add('exe-entry-differs', `AT_ENTRY ${hx(atEntry)} is not the entry ${hx(exe.header.entry)} of non-PIE ${exePath}`);
      return 0;
    }
    return bias;
  }
  if (exe.header.type === ET_DYN) {
    warnings.add('no-auxv', `${source} has no AT_ENTRY (${source === 'the core' ? 'NT_AUXV' : 'auxv'}); assuming the PIE executable was loaded at 0`);
  }
  return 0;
}

/** The executable's PT_LOADs at vaddr + loadBias. */
export function exeLoadLayer(exe: ElfFile, src: ByteSource, loadBias: number): Region[] {
  const layer: Region[] = [];
  for (const p of exe.progs) {
    if (p.type !== PT_LOAD || !Number.isFinite(p.vaddr) || !Number.isFinite(p.memsz)) continue;
    const start = p.vaddr + loadBias;
    const fr = fileRegion(src, start, start + Math.min(p.filesz, p.memsz), p.offset, 'exe', `exe PT_LOAD #${p.index}`);
    if (fr) layer.push(fr);
    const fileEnd = fr ? fr.end : start;
    if (start + p.memsz > fileEnd) {
      layer.push({ start: fileEnd, end: start + p.memsz, origin: 'zero', label: `exe PT_LOAD #${p.index} zero-fill` });
    }
  }
  return layer;
}

/** The executable file's bytes at each of its mappings ({start, end, file offset in bytes}). */
export function exeFileLayer(src: ByteSource, mappings: readonly { readonly start: number; readonly end: number; readonly fileOffset: number }[]): Region[] {
  const layer: Region[] = [];
  for (const f of mappings) {
    if (!Number.isFinite(f.start) || !Number.isFinite(f.end) || !Number.isFinite(f.fileOffset)) continue;
    const r = fileRegion(src, f.start, f.end, f.fileOffset, 'exe-file', `exe file mapping ${hx(f.start)}`);
    if (r) layer.push(r);
  }
  return layer;
}
