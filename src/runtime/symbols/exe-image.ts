/**
 * The executable as the linker laid it out: PT_LOAD segments at their link-time addresses (the file
 * bytes, so PIE pointers hold their link-time values, go-binary.md §4.5) plus sections by name when
 * section headers exist. Symbol recovery for stripped binaries works only on this view.
 */
import { EM_AARCH64, PF_W, PF_X, PT_LOAD, SHT_NOBITS } from '../../format/elf/constants.ts';
import type { ElfFile } from '../../format/elf/file.ts';

export interface ExeSegment {
  readonly vaddr: number;
  readonly writable: boolean;
  readonly executable: boolean;
  /** File-backed bytes (filesz; a .bss tail is not included). */
  readonly data: Uint8Array;
}

export interface ExeImage {
  readonly arch: 'amd64' | 'arm64';
  readonly segments: readonly ExeSegment[];
  /** A section's link-time address and bytes, when section headers exist. */
  section(name: string): { addr: number; data: Uint8Array } | undefined;
  /** `len` file-backed bytes at link-time address `addr`, or undefined. */
  read(addr: number, len: number): Uint8Array | undefined;
}

export function exeImage(elf: ElfFile): ExeImage {
  const segments: ExeSegment[] = [];
  for (const p of elf.progs) {
    if (p.type !== PT_LOAD || p.filesz === 0 || p.offset + p.filesz > elf.src.size) continue;
    segments.push({
      vaddr: p.vaddr,
      writable: (p.flags & PF_W) !== 0,
      executable: (p.flags & PF_X) !== 0,
      data: elf.src.read(p.offset, p.filesz),
    });
  }
  return imageOf(elf.header.machine === EM_AARCH64 ? 'arm64' : 'amd64', segments, (name) => {
    let sh;
    try {
      sh = elf.section(name);
    } catch {
      return undefined; // unreadable section headers: behave as stripped
    }
    if (!sh || sh.type === SHT_NOBITS || sh.offset + sh.size > elf.src.size) return undefined;
    return { addr: sh.addr, data: elf.src.read(sh.offset, sh.size) };
  });
}

/** An image over given segments (also used by tests with synthetic bytes). */
export function imageOf(
  arch: 'amd64' | 'arm64',
  segments: readonly ExeSegment[],
  section: (name: string) => { addr: number; data: Uint8Array } | undefined = () => undefined,
): ExeImage {
  return {
    arch,
    segments,
    section,
    read(addr, len) {
      if (!(len >= 0)) return undefined;
      for (const s of segments) {
        const rel = addr - s.vaddr;
        if (rel >= 0 && rel + len <= s.data.length) return s.data.subarray(rel, rel + len);
      }
      return undefined;
    },
  };
}
