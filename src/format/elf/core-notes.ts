/**
 * Decoders for the notes of a Linux ELF core, after the kernel's include/uapi/linux/elfcore.h
 * (struct elf_prstatus, struct elf_prpsinfo), fs/binfmt_elf.c (fill_files_note for NT_FILE,
 * NT_AUXV, NT_SIGINFO), arch/x86/include/asm/user_64.h (user_regs_struct) and
 * arch/arm64/include/uapi/asm/ptrace.h (user_pt_regs); delve's pkg/proc/core/linux_core.go reads the
 * same bytes. Covers linux/amd64 (prstatus 336 bytes) and linux/arm64 (392 bytes).
 */
import { i32, u16, u32, u64, u64Big, cString } from '../../base/bytes.ts';
import { FormatError } from '../../base/errors.ts';
import { ByteCursor } from '../../base/cursor.ts';

export type CoreArch = 'amd64' | 'arm64';

/** amd64 `user_regs_struct` in NT_PRSTATUS order. */
export const AMD64_REG_NAMES = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;

/** arm64 `user_pt_regs` in NT_PRSTATUS order. */
export const ARM64_REG_NAMES = [
  ...Array.from({ length: 31 }, (_, i) => `x${i}`),
  'sp', 'pc', 'pstate',
] as readonly string[];

const PRSTATUS_SIZE = { amd64: 336, arm64: 392 } as const;
const PR_REG_OFFSET = 112;

/** The registers gospy needs, as numbers (NaN if a value does not fit 2^53), plus all raw values. */
export interface ThreadRegs {
  readonly pc: number;
  readonly sp: number;
  /** Frame pointer: amd64 rbp, arm64 x29. */
  readonly bp: number;
  /** Link register (arm64 x30); undefined on amd64. */
  readonly lr: number | undefined;
  /** The register Go keeps `g` in under the register ABI: amd64 r14, arm64 x28. */
  readonly gReg: number;
  /** amd64 fs_base (TLS); undefined on arm64 (see NT_ARM_TLS). */
  readonly fsBase: number | undefined;
  readonly raw: readonly bigint[];
  readonly names: readonly string[];
}

export interface PrStatus {
  readonly tid: number;
  readonly cursig: number;
  readonly signo: number;
  readonly code: number;
  readonly errno: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly sid: number;
  readonly regs: ThreadRegs;
}

function regsFrom(raw: bigint[], arch: CoreArch): ThreadRegs {
  const n = (i: number): number => {
    const v = raw[i]!;
    return v < 2n ** 53n ? Number(v) : Number.NaN;
  };
  if (arch === 'amd64') {
    return { pc: n(16), sp: n(19), bp: n(4), lr: undefined, gReg: n(1), fsBase: n(21), raw, names: AMD64_REG_NAMES };
  }
  return { pc: n(32), sp: n(31), bp: n(29), lr: n(30), gReg: n(28), fsBase: undefined, raw, names: ARM64_REG_NAMES };
}

function regsetWords(arch: CoreArch): number {
  return arch === 'amd64' ? AMD64_REG_NAMES.length : ARM64_REG_NAMES.length;
}

/** Bytes of a general-purpose regset (NT_PRSTATUS pr_reg): 216 on amd64, 272 on arm64. */
export function regsetSize(arch: CoreArch): number {
  return regsetWords(arch) * 8;
}

/**
 * Decode a raw general-purpose regset as PTRACE_GETREGSET(NT_PRSTATUS) returns it, which is exactly
 * NT_PRSTATUS's pr_reg (user_regs_struct / user_pt_regs). Throws FormatError when it is too short.
 */
export function parseRegset(regs: Uint8Array, arch: CoreArch, what = 'regset'): ThreadRegs {
  if (regs.length < regsetSize(arch)) {
    throw new FormatError(what, `${regs.length} bytes, the ${arch} general-purpose regset needs ${regsetSize(arch)}`);
  }
  const raw: bigint[] = [];
  for (let i = 0; i < regsetWords(arch); i++) raw.push(u64Big(regs, i * 8));
  return regsFrom(raw, arch);
}

/** Where pr_reg starts in NT_PRSTATUS. */
export const PRSTATUS_REG_OFFSET = PR_REG_OFFSET;

/** Decode one NT_PRSTATUS desc. Throws FormatError if it is shorter than the arch's struct. */
export function parsePrStatus(desc: Uint8Array, arch: CoreArch, offset = 0): PrStatus {
  const size = PRSTATUS_SIZE[arch];
  if (desc.length < size) {
    throw new FormatError('NT_PRSTATUS', `${desc.length} bytes, ${arch} elf_prstatus needs ${size}`, offset);
  }
  const raw: bigint[] = [];
  for (let i = 0; i < regsetWords(arch); i++) raw.push(u64Big(desc, PR_REG_OFFSET + i * 8));
  return {
    signo: i32(desc, 0),
    code: i32(desc, 4),
    errno: i32(desc, 8),
    cursig: u16(desc, 12),
    tid: i32(desc, 32),
    ppid: i32(desc, 36),
    pgrp: i32(desc, 40),
    sid: i32(desc, 44),
    regs: regsFrom(raw, arch),
  };
}

export interface PrPsInfo {
  readonly state: number;
  /** 'R', 'S', 'D', 'T', 'Z' (gcore writes 't'). */
  readonly sname: string;
  readonly zomb: number;
  readonly nice: number;
  readonly flag: bigint;
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly sid: number;
  /** comm, at most 15 characters. */
  readonly fname: string;
  /** Command line, NULs turned to spaces, cut at 79 characters. */
  readonly psargs: string;
}

/** Decode NT_PRPSINFO (136 bytes on amd64 and arm64). */
export function parsePrPsInfo(desc: Uint8Array, offset = 0): PrPsInfo {
  if (desc.length < 136) throw new FormatError('NT_PRPSINFO', `${desc.length} bytes, elf_prpsinfo needs 136`, offset);
  return {
    state: desc[0]!,
    sname: String.fromCharCode(desc[1]!),
    zomb: desc[2]!,
    nice: (desc[3]! << 24) >> 24,
    flag: u64Big(desc, 8),
    uid: u32(desc, 16),
    gid: u32(desc, 20),
    pid: i32(desc, 24),
    ppid: i32(desc, 28),
    pgrp: i32(desc, 32),
    sid: i32(desc, 36),
    fname: cString(desc, 40, 16),
    psargs: cString(desc, 56, 80).trimEnd(),
  };
}

export interface FileMapping {
  readonly start: number;
  readonly end: number;
  /** Offset in the file in bytes (NT_FILE stores pages; this is pages × page_size). */
  readonly fileOffsetBytes: number;
  readonly path: string;
}

export interface NtFile {
  readonly pageSize: number;
  readonly entries: readonly FileMapping[];
}

/** Decode NT_FILE: count, page_size, count × {start, end, file_ofs (pages)}, count × path. */
export function parseNtFile(desc: Uint8Array, offset = 0): NtFile {
  const c = new ByteCursor(desc, 'NT_FILE', 0, offset);
  const count = c.u64();
  const pageSize = c.u64();
  if (c.err) throw c.err;
  // Each entry needs 24 bytes plus at least a NUL: a larger count cannot be real.
  if (!(count * 25 <= c.remaining)) {
    throw new FormatError('NT_FILE', `count ${count} does not fit in ${desc.length} bytes`, offset);
  }
  const ranges: [number, number, number][] = [];
  for (let i = 0; i < count; i++) ranges.push([c.u64(), c.u64(), c.u64()]);
  const entries: FileMapping[] = [];
  for (let i = 0; i < count; i++) {
    const path = c.cString();
    if (c.err) throw c.err;
    const [start, end, pages] = ranges[i]!;
    entries.push({ start, end, fileOffsetBytes: pages * pageSize, path });
  }
  return { pageSize, entries };
}

/** Decode NT_AUXV: (u64 tag, u64 value) pairs up to AT_NULL. Values above 2^53 come back as NaN. */
export function parseAuxv(desc: Uint8Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let o = 0; o + 16 <= desc.length; o += 16) {
    const tag = u64(desc, o);
    if (tag === 0) break;
    m.set(tag, u64(desc, o + 8));
  }
  return m;
}

export interface SigInfo {
  readonly signo: number;
  readonly errno: number;
  readonly code: number;
  /** si_addr for fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP); NaN above 2^53. */
  readonly addr: number;
}

/** Decode NT_SIGINFO (siginfo_t, 128 bytes: si_signo, si_errno, si_code, then the union at 16). */
export function parseSigInfo(desc: Uint8Array, offset = 0): SigInfo {
  if (desc.length < 24) throw new FormatError('NT_SIGINFO', `${desc.length} bytes, siginfo_t needs 128`, offset);
  return { signo: i32(desc, 0), errno: i32(desc, 4), code: i32(desc, 8), addr: u64(desc, 16) };
}
