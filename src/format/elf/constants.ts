/**
 * ELF constants, named as in the ELF-64 spec, glibc <elf.h> and Go's debug/elf/elf.go (so a grep
 * finds all three), plus `nameOf` after elf.go's `stringName`: `PT_LOAD`, or `PT_0x6474e550` for a
 * value the table does not know.
 */

/** A constant group: name → value. */
export type ConstTable = Readonly<Record<string, number>>;

/** The table's name for `value`, or `<prefix>_0x<hex>` when unknown (prefix taken from the table). */
export function nameOf(table: ConstTable, value: number | bigint): string {
  let prefix = '';
  for (const [name, v] of Object.entries(table)) {
    if (BigInt(v) === BigInt(value)) return name;
    if (prefix === '') prefix = name.slice(0, name.indexOf('_'));
  }
  return `${prefix}_0x${value.toString(16)}`;
}

export const ELFMAG = '\x7fELF';
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;

/** e_type */
export const ET = {
  ET_NONE: 0,
  ET_REL: 1,
  ET_EXEC: 2,
  ET_DYN: 3,
  ET_CORE: 4,
} as const;
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/** e_machine (only the ones gospy meets). */
export const EM = {
  EM_386: 3,
  EM_ARM: 40,
  EM_X86_64: 62,
  EM_AARCH64: 183,
  EM_RISCV: 243,
} as const;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

/** p_type */
export const PT = {
  PT_NULL: 0,
  PT_LOAD: 1,
  PT_DYNAMIC: 2,
  PT_INTERP: 3,
  PT_NOTE: 4,
  PT_SHLIB: 5,
  PT_PHDR: 6,
  PT_TLS: 7,
  PT_GNU_EH_FRAME: 0x6474e550,
  PT_GNU_STACK: 0x6474e551,
  PT_GNU_RELRO: 0x6474e552,
  PT_GNU_PROPERTY: 0x6474e553,
} as const;
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PT_TLS = 7;

/** p_flags */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

/** sh_type */
export const SHT = {
  SHT_NULL: 0,
  SHT_PROGBITS: 1,
  SHT_SYMTAB: 2,
  SHT_STRTAB: 3,
  SHT_RELA: 4,
  SHT_HASH: 5,
  SHT_DYNAMIC: 6,
  SHT_NOTE: 7,
  SHT_NOBITS: 8,
  SHT_REL: 9,
  SHT_SHLIB: 10,
  SHT_DYNSYM: 11,
  SHT_INIT_ARRAY: 14,
  SHT_FINI_ARRAY: 15,
  SHT_PREINIT_ARRAY: 16,
  SHT_GROUP: 17,
  SHT_SYMTAB_SHNDX: 18,
  SHT_GNU_HASH: 0x6ffffff6,
  SHT_GNU_VERDEF: 0x6ffffffd,
  SHT_GNU_VERNEED: 0x6ffffffe,
  SHT_GNU_VERSYM: 0x6fffffff,
} as const;
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;

/** sh_flags bits */
export const SHF = {
  SHF_WRITE: 0x1,
  SHF_ALLOC: 0x2,
  SHF_EXECINSTR: 0x4,
  SHF_MERGE: 0x10,
  SHF_STRINGS: 0x20,
  SHF_INFO_LINK: 0x40,
  SHF_LINK_ORDER: 0x80,
  SHF_OS_NONCONFORMING: 0x100,
  SHF_GROUP: 0x200,
  SHF_TLS: 0x400,
  SHF_COMPRESSED: 0x800,
} as const;
export const SHF_ALLOC = 0x2;
export const SHF_COMPRESSED = 0x800;

/** Special section indexes */
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

/** Elf64_Chdr ch_type */
export const ELFCOMPRESS = {
  ELFCOMPRESS_ZLIB: 1,
  ELFCOMPRESS_ZSTD: 2,
} as const;
export const ELFCOMPRESS_ZLIB = 1;
export const ELFCOMPRESS_ZSTD = 2;

/** Symbol binding (st_info >> 4) and type (st_info & 0xf) */
export const STB = { STB_LOCAL: 0, STB_GLOBAL: 1, STB_WEAK: 2 } as const;
export const STT = {
  STT_NOTYPE: 0,
  STT_OBJECT: 1,
  STT_FUNC: 2,
  STT_SECTION: 3,
  STT_FILE: 4,
  STT_COMMON: 5,
  STT_TLS: 6,
} as const;

/**
 * Note types. Core notes are owned by "CORE" (or "LINUX" for regsets); NT_GNU_BUILD_ID (3) is under
 * name "GNU" and the Go build id (4) under name "Go", so the type alone is ambiguous: look at the name.
 */
export const NT = {
  NT_PRSTATUS: 1,
  NT_PRFPREG: 2,
  NT_PRPSINFO: 3,
  NT_AUXV: 6,
  NT_X86_XSTATE: 0x202,
  NT_X86_XSAVE_LAYOUT: 0x205,
  NT_ARM_TLS: 0x401,
  NT_SIGINFO: 0x53494749,
  NT_FILE: 0x46494c45,
  NT_GDB_TDESC: 0xff000000,
} as const;
export const NT_PRSTATUS = 1;
export const NT_PRFPREG = 2;
export const NT_PRPSINFO = 3;
export const NT_AUXV = 6;
export const NT_X86_XSTATE = 0x202;
export const NT_ARM_TLS = 0x401;
export const NT_SIGINFO = 0x53494749;
export const NT_FILE = 0x46494c45;
/** Type of the build-id note under name "GNU". */
export const NT_GNU_BUILD_ID = 3;
/** Type of the build-id note under name "Go" (cmd/link: ELF_NOTE_GOBUILDID_TAG). */
export const NT_GO_BUILD_ID = 4;

/** Auxiliary vector tags (<elf.h>, linux/auxvec.h). */
export const AT = {
  AT_NULL: 0,
  AT_IGNORE: 1,
  AT_EXECFD: 2,
  AT_PHDR: 3,
  AT_PHENT: 4,
  AT_PHNUM: 5,
  AT_PAGESZ: 6,
  AT_BASE: 7,
  AT_FLAGS: 8,
  AT_ENTRY: 9,
  AT_NOTELF: 10,
  AT_UID: 11,
  AT_EUID: 12,
  AT_GID: 13,
  AT_EGID: 14,
  AT_PLATFORM: 15,
  AT_HWCAP: 16,
  AT_CLKTCK: 17,
  AT_SECURE: 23,
  AT_BASE_PLATFORM: 24,
  AT_RANDOM: 25,
  AT_HWCAP2: 26,
  AT_EXECFN: 31,
  AT_SYSINFO_EHDR: 33,
  AT_MINSIGSTKSZ: 51,
} as const;
export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_ENTRY = 9;
export const AT_SYSINFO_EHDR = 33;
