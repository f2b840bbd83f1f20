/**
 * ELF64 symbol tables (Elf64_Sym, 24 bytes: st_name u32, st_info u8, st_other u8, st_shndx u16,
 * st_value u64, st_size u64), after Go's debug/elf `getSymbols64`.
 */
import { u16, u32, u64, u64Big, cString } from '../../base/bytes.ts';
import { FormatError } from '../../base/errors.ts';

export interface ElfSymbol {
  readonly name: string;
  /** NaN when above 2^53 (see valueBig). */
  readonly value: number;
  readonly valueBig: bigint;
  readonly size: number;
  /** st_info >> 4: STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2. */
  readonly bind: number;
  /** st_info & 0xf: STT_OBJECT 1, STT_FUNC 2, … */
  readonly type: number;
  readonly other: number;
  readonly shndx: number;
}

const SYM_SIZE = 24;

/** Decode a .symtab (`data`) against its string table; entry 0 (the null symbol) is left out. */
export function parseSymtab(data: Uint8Array, strtab: Uint8Array, fileOffset: number): ElfSymbol[] {
  if (data.length % SYM_SIZE !== 0) {
    throw new FormatError('elf .symtab', `size ${data.length} is not a multiple of ${SYM_SIZE}`, fileOffset);
  }
  const n = data.length / SYM_SIZE;
  const out: ElfSymbol[] = [];
  for (let i = 1; i < n; i++) {
    const o = i * SYM_SIZE;
    const nameOff = u32(data, o);
    const info = data[o + 4]!;
    out.push({
      name: nameOff < strtab.length ? cString(strtab, nameOff, 1 << 16) : '',
      value: u64(data, o + 8),
      valueBig: u64Big(data, o + 8),
      size: Number(u64Big(data, o + 16)),
      bind: info >> 4,
      type: info & 0xf,
      other: data[o + 5]!,
      shndx: u16(data, o + 6),
    });
  }
  return out;
}
