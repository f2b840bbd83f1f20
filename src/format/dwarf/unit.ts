/**
 * DWARF unit headers, mirroring DWARF 4 §7.5.1.1 and DWARF 5 §7.5.1 (compile, partial, type,
 * skeleton and split unit headers) and the 32/64-bit formats of §7.4. Versions 2–5 are accepted;
 * Go emits v4 (go1.12–1.24) and v5 (go1.25+), gcc 12 emits v5 for cgo objects.
 */
import { ByteCursor } from '../../base/cursor.ts';
import { FormatError } from '../../base/errors.ts';
import { DW_UT_compile, DW_UT_partial, DW_UT_skeleton, DW_UT_split_compile, DW_UT_split_type, DW_UT_type } from './constants.ts';

export interface UnitHeader {
  /** Offset of the unit_length field in .debug_info. */
  readonly offset: number;
  /** Offset one past the unit's last byte. */
  readonly end: number;
  /** Offset of the unit's first DIE. */
  readonly dieOffset: number;
  readonly version: number;
  /** DW_UT_* (v5), or DW_UT_compile for v2–v4. */
  readonly unitType: number;
  readonly addrSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  readonly offsetSize: number;
  readonly abbrevOffset: number;
}

const WHAT = 'dwarf .debug_info unit header';

/** Parses the unit header at `offset`; throws FormatError when it is truncated or unsupported. */
export function parseUnitHeader(info: Uint8Array, offset: number): UnitHeader {
  const c = new ByteCursor(info, WHAT, offset);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    offsetSize = 8;
    length = c.u64();
  } else if (length >= 0xfffffff0) {
    throw new FormatError(WHAT, `reserved unit_length 0x${length.toString(16)}`, offset);
  }
  const lengthEnd = c.off;
  const version = c.u16();
  if (c.err) throw c.err;
  if (!Number.isFinite(length) || length > info.length - lengthEnd) {
    throw new FormatError(WHAT, `unit_length 0x${length.toString(16)} runs past the section end (0x${info.length.toString(16)})`, offset);
  }
  const end = lengthEnd + length;
  if (version < 2 || version > 5) throw new FormatError(WHAT, `unsupported DWARF version ${version}`, offset);
  let unitType = DW_UT_compile;
  let addrSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = c.u8();
    addrSize = c.u8();
    abbrevOffset = offsetSize === 8 ? c.u64() : c.u32();
    switch (unitType) {
      case DW_UT_compile:
      case DW_UT_partial:
        break;
      case DW_UT_skeleton:
      case DW_UT_split_compile:
        c.skip(8); // dwo_id
        break;
      case DW_UT_type:
      case DW_UT_split_type:
        c.skip(8 + offsetSize); // type_signature, type_offset
        break;
      default:
        throw new FormatError(WHAT, `unknown unit_type 0x${unitType.toString(16)}`, offset);
    }
  } else {
    abbrevOffset = offsetSize === 8 ? c.u64() : c.u32();
    addrSize = c.u8();
  }
  if (c.err) throw c.err;
  if (c.off > end) throw new FormatError(WHAT, 'unit header is longer than the unit', offset);
  if (addrSize !== 4 && addrSize !== 8 && addrSize !== 2) {
    throw new FormatError(WHAT, `unsupported address_size ${addrSize}`, offset);
  }
  if (!Number.isFinite(abbrevOffset)) throw new FormatError(WHAT, 'abbrev_offset out of range', offset);
  return { offset, end, dieOffset: c.off, version, unitType, addrSize, offsetSize, abbrevOffset };
}
