/**
 * Does the executable belong to the core? Kernel cores (binfmt_elf.c, coredump_filter bit 4 "ELF
 * headers") and gdb's gcore both dump the first page of every ELF mapping, so the core's memory holds
 * the executable's ELF header, program headers and (in Go and most linkers' layouts) its build-id
 * notes. We read the in-memory ELF header at the mapping start, follow its PT_NOTE to the "GNU"
 * (type 3) and "Go" (type 4) build ids, and compare with the file's. Same idea as delve's and gdb's
 * build-id checks, but reading the target's own memory instead of a separate index.
 */
import { u16, u32, u64, utf8 } from '../base/bytes.ts';
import { NT_GNU_BUILD_ID, NT_GO_BUILD_ID, PT_LOAD, PT_NOTE } from '../format/elf/constants.ts';
import { parseNotes } from '../format/elf/notes.ts';

export interface BuildIds {
  readonly gnu?: string;
  readonly go?: string;
}

export type ReadFn = (addr: number, len: number) => Uint8Array | undefined;

const MAX_NOTE_BYTES = 64 * 1024;

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Build ids found in memory for an ELF image whose header is mapped at `base`, or undefined when the
 * memory there does not hold a readable ELF header or notes (e.g. the page was not dumped).
 */
export function buildIdsInMemory(read: ReadFn, base: number): BuildIds | undefined {
  const eh = read(base, 64);
  if (!eh || eh[0] !== 0x7f || eh[1] !== 0x45 || eh[2] !== 0x4c || eh[3] !== 0x46 || eh[4] !== 2) return undefined;
  const phoff = u64(eh, 32);
  const phentsize = u16(eh, 54);
  const phnum = u16(eh, 56);
  if (!Number.isFinite(phoff) || phentsize < 56 || phnum === 0 || phnum >= 0xffff || phoff > 1 << 20) return undefined;
  const ph = read(base + phoff, phnum * phentsize);
  if (!ph) return undefined;
  // Bias: where the segment holding file offset 0 was linked vs where its header is mapped.
  let bias: number | undefined;
  const notes: { vaddr: number; size: number; align: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    const type = u32(ph, o);
    const offset = u64(ph, o + 8);
    const vaddr = u64(ph, o + 16);
    const filesz = u64(ph, o + 32);
    if (type === PT_LOAD && offset === 0 && bias === undefined) bias = base - vaddr;
    if (type === PT_NOTE) notes.push({ vaddr, size: filesz, align: u64(ph, o + 48) });
  }
  if (bias === undefined || !Number.isFinite(bias)) return undefined;
  let gnu: string | undefined;
  let go: string | undefined;
  let anyRead = false;
  for (const n of notes) {
    if (!(n.size > 0 && n.size <= MAX_NOTE_BYTES) || !Number.isFinite(n.vaddr)) continue;
    const data = read(n.vaddr + bias, n.size);
    if (!data) continue;
    anyRead = true;
    try {
      for (const note of parseNotes(data, 0, n.align)) {
        if (note.name === 'GNU' && note.type === NT_GNU_BUILD_ID && gnu === undefined) gnu = hexOf(note.desc);
        if (note.name === 'Go' && note.type === NT_GO_BUILD_ID && go === undefined) go = utf8(note.desc);
      }
    } catch {
      // Garbage where notes should be: treat as "not found" and let the caller decide.
    }
  }
  if (!anyRead) return undefined;
  return { ...(gnu !== undefined ? { gnu } : {}), ...(go !== undefined ? { go } : {}) };
}

export type BuildIdVerdict =
  | { readonly kind: 'match'; readonly which: 'gnu' | 'go' }
  | {
      readonly kind: 'mismatch';
      readonly which: 'gnu' | 'go';
      readonly inCore: string;
      readonly fileWhich: 'gnu' | 'go';
      readonly inFile: string;
    }
  | { readonly kind: 'unchecked'; readonly reason: string };

/** Compare the build ids of the file with those found in the core (Go id first, then GNU). */
export function compareBuildIds(file: BuildIds, core: BuildIds | undefined): BuildIdVerdict {
  if (!core) return { kind: 'unchecked', reason: "the core does not hold the executable's ELF header and notes" };
  if (file.go === undefined && file.gnu === undefined) {
    return { kind: 'unchecked', reason: 'the executable has no build id note' };
  }
  for (const which of ['go', 'gnu'] as const) {
    const f = file[which];
    const c = core[which];
    if (f !== undefined && c !== undefined && f !== c) return { kind: 'mismatch', which, inCore: c, fileWhich: which, inFile: f };
  }
  for (const which of ['go', 'gnu'] as const) {
    if (file[which] !== undefined && file[which] === core[which]) return { kind: 'match', which };
  }
  if (core.go === undefined && core.gnu === undefined) {
    return { kind: 'unchecked', reason: "the core's copy of the executable header has no build id note" };
  }
  // Both have build ids, but of different kinds: not the same link. Name each side's own id.
  const coreWhich = core.go !== undefined ? 'go' : 'gnu';
  const fileWhich = file.go !== undefined ? 'go' : 'gnu';
  return { kind: 'mismatch', which: coreWhich, inCore: core[coreWhich]!, fileWhich, inFile: file[fileWhich]! };
}
