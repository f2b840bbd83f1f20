/**
 * Attribute form decoding, mirroring DWARF 5 §7.5.5 (Table 7.6, "Attribute form encodings") and
 * DWARF 4 §7.5.4: the size of every form for 32- and 64-bit DWARF, and its value. Includes the
 * DWARF 5 forms gcc 12 emits in cgo compile units (strx1–4, addrx1–4, data16, implicit_const,
 * loclistx, rnglistx, line_strp, ref_sig8, indirect) and the GNU split-DWARF/alt forms.
 */
import type { ByteCursor } from '../../base/cursor.ts';
import * as F from './constants.ts';
import type { UnitHeader } from './unit.ts';

/** The raw sections a DWARF reader may use; only info and abbrev are required. */
export interface DwarfSections {
  readonly info: Uint8Array;
  readonly abbrev: Uint8Array;
  readonly str?: Uint8Array | undefined;
  readonly lineStr?: Uint8Array | undefined;
  readonly addr?: Uint8Array | undefined;
  readonly strOffsets?: Uint8Array | undefined;
  readonly rnglists?: Uint8Array | undefined;
  readonly loclists?: Uint8Array | undefined;
}

/** A reference to another DIE, as an absolute .debug_info offset. */
export interface DieRef {
  readonly ref: number;
}
/** A reference into a type unit or supplementary file, which this reader does not follow. */
export interface ForeignRef {
  readonly foreign: bigint | number;
}
/** An index form (strx*, addrx*) before it is resolved against the unit's base. */
export interface IndexedValue {
  readonly indexForm: number;
  readonly index: number;
}

/**
 * A decoded attribute value: constants are number (bigint beyond 2^53), strings string, flags
 * boolean, blocks/exprlocs Uint8Array, references DieRef, section offsets and list indexes number.
 */
export type FormValue = number | bigint | string | boolean | Uint8Array | DieRef | ForeignRef | IndexedValue | undefined;

export function isDieRef(v: FormValue): v is DieRef {
  return typeof v === 'object' && v !== null && 'ref' in v;
}
export function isIndexed(v: FormValue): v is IndexedValue {
  return typeof v === 'object' && v !== null && 'indexForm' in v;
}

const VARIABLE = -1;
const UNKNOWN = -2;

/**
 * Byte size of `form` in this unit when it does not depend on the data, VARIABLE (-1) when it
 * does, UNKNOWN (-2) for a form this reader does not know.
 */
export function fixedFormSize(form: number, u: UnitHeader): number {
  switch (form) {
    case F.DW_FORM_flag_present:
    case F.DW_FORM_implicit_const:
      return 0;
    case F.DW_FORM_data1:
    case F.DW_FORM_ref1:
    case F.DW_FORM_flag:
    case F.DW_FORM_strx1:
    case F.DW_FORM_addrx1:
      return 1;
    case F.DW_FORM_data2:
    case F.DW_FORM_ref2:
    case F.DW_FORM_strx2:
    case F.DW_FORM_addrx2:
      return 2;
    case F.DW_FORM_strx3:
    case F.DW_FORM_addrx3:
      return 3;
    case F.DW_FORM_data4:
    case F.DW_FORM_ref4:
    case F.DW_FORM_ref_sup4:
    case F.DW_FORM_strx4:
    case F.DW_FORM_addrx4:
      return 4;
    case F.DW_FORM_data8:
    case F.DW_FORM_ref8:
    case F.DW_FORM_ref_sig8:
    case F.DW_FORM_ref_sup8:
      return 8;
    case F.DW_FORM_data16:
      return 16;
    case F.DW_FORM_addr:
      return u.addrSize;
    case F.DW_FORM_ref_addr:
      return u.version <= 2 ? u.addrSize : u.offsetSize;
    case F.DW_FORM_strp:
    case F.DW_FORM_line_strp:
    case F.DW_FORM_sec_offset:
    case F.DW_FORM_strp_sup:
    case F.DW_FORM_GNU_ref_alt:
    case F.DW_FORM_GNU_strp_alt:
      return u.offsetSize;
    case F.DW_FORM_block1:
    case F.DW_FORM_block2:
    case F.DW_FORM_block4:
    case F.DW_FORM_block:
    case F.DW_FORM_exprloc:
    case F.DW_FORM_string:
    case F.DW_FORM_sdata:
    case F.DW_FORM_udata:
    case F.DW_FORM_ref_udata:
    case F.DW_FORM_strx:
    case F.DW_FORM_addrx:
    case F.DW_FORM_loclistx:
    case F.DW_FORM_rnglistx:
    case F.DW_FORM_indirect:
    case F.DW_FORM_GNU_addr_index:
    case F.DW_FORM_GNU_str_index:
      return VARIABLE;
    default:
      return UNKNOWN;
  }
}

/** Advances `c` past one value of `form`. Unknown forms record a FormatError on the cursor. */
export function skipForm(c: ByteCursor, form: number, u: UnitHeader, depth = 0): void {
  const n = fixedFormSize(form, u);
  if (n >= 0) {
    c.skip(n);
    return;
  }
  switch (form) {
    case F.DW_FORM_block1:
      c.skip(c.u8());
      return;
    case F.DW_FORM_block2:
      c.skip(c.u16());
      return;
    case F.DW_FORM_block4:
      c.skip(c.u32());
      return;
    case F.DW_FORM_block:
    case F.DW_FORM_exprloc:
      c.skip(c.uleb());
      return;
    case F.DW_FORM_string: {
      if (c.err) return;
      const end = c.data.indexOf(0, c.off);
      if (end < 0) c.fail('unterminated string');
      else c.off = end + 1;
      return;
    }
    case F.DW_FORM_indirect: {
      const f = c.uleb();
      if (f === F.DW_FORM_indirect && depth > 4) {
        c.fail('DW_FORM_indirect chain too long');
        return;
      }
      if (f === F.DW_FORM_implicit_const) {
        c.fail('DW_FORM_indirect to DW_FORM_implicit_const');
        return;
      }
      skipForm(c, f, u, depth + 1);
      return;
    }
    default:
      if (n === VARIABLE) {
        skipLeb(c);
        return;
      }
      c.fail(`unknown attribute form 0x${form.toString(16)}`);
  }
}

function skipLeb(c: ByteCursor): void {
  const d = c.data;
  let off = c.off;
  const end = Math.min(d.length, off + 16);
  while (off < end) {
    if ((d[off++]! & 0x80) === 0) {
      c.off = off;
      return;
    }
  }
  c.fail('bad LEB128');
}

/** Exact unsigned LEB128: number when ≤ 2^53, else bigint. */
export function readUlebExact(c: ByteCursor): number | bigint {
  const start = c.off;
  skipLeb(c);
  if (c.err) return 0;
  const n = c.off - start;
  if (n <= 7) {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      v += (c.data[start + i]! & 0x7f) * mul;
      mul *= 128;
    }
    return v;
  }
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 7n) | BigInt(c.data[start + i]! & 0x7f);
  return narrow(v);
}

/** Exact signed LEB128: number when within ±2^53, else bigint. */
export function readSlebExact(c: ByteCursor): number | bigint {
  const start = c.off;
  skipLeb(c);
  if (c.err) return 0;
  const n = c.off - start;
  if (n <= 7) {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      v += (c.data[start + i]! & 0x7f) * mul;
      mul *= 128;
    }
    if (c.data[start + n - 1]! & 0x40) v -= mul;
    return v;
  }
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 7n) | BigInt(c.data[start + i]! & 0x7f);
  if (c.data[start + n - 1]! & 0x40) v -= 1n << BigInt(7 * n);
  return narrow(v);
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function offsetValue(c: ByteCursor, u: UnitHeader): number {
  return u.offsetSize === 8 ? c.u64() : c.u32();
}

function data8(c: ByteCursor): number | bigint {
  return narrow(c.u64Big());
}

/**
 * Reads one value of `form`. Strings in .debug_str/.debug_line_str are resolved when the section
 * was supplied (undefined otherwise); strx and addrx values come back as IndexedValue for the entry reader
 * to resolve once the unit's bases are known.
 */
export function readForm(c: ByteCursor, form: number, implicit: number, u: UnitHeader, s: DwarfSections, depth = 0): FormValue {
  switch (form) {
    case F.DW_FORM_addr:
      return u.addrSize === 8 ? c.u64() : u.addrSize === 4 ? c.u32() : c.u16();
    case F.DW_FORM_block1:
      return c.bytes(c.u8());
    case F.DW_FORM_block2:
      return c.bytes(c.u16());
    case F.DW_FORM_block4:
      return c.bytes(c.u32());
    case F.DW_FORM_block:
    case F.DW_FORM_exprloc:
      return c.bytes(c.uleb());
    case F.DW_FORM_data1:
      return c.u8();
    case F.DW_FORM_data2:
      return c.u16();
    case F.DW_FORM_data4:
      return c.u32();
    case F.DW_FORM_data8:
      return data8(c);
    case F.DW_FORM_data16:
      return c.bytes(16);
    case F.DW_FORM_sdata:
      return readSlebExact(c);
    case F.DW_FORM_udata:
      return readUlebExact(c);
    case F.DW_FORM_implicit_const:
      return implicit;
    case F.DW_FORM_string:
      return c.cString();
    case F.DW_FORM_flag:
      return c.u8() !== 0;
    case F.DW_FORM_flag_present:
      return true;
    case F.DW_FORM_strp:
      return sectionString(c, s.str, offsetValue(c, u), '.debug_str');
    case F.DW_FORM_line_strp:
      return sectionString(c, s.lineStr, offsetValue(c, u), '.debug_line_str');
    case F.DW_FORM_strp_sup:
    case F.DW_FORM_GNU_strp_alt:
      offsetValue(c, u);
      return undefined;
    case F.DW_FORM_ref_addr:
      return { ref: u.version <= 2 ? (u.addrSize === 8 ? c.u64() : c.u32()) : offsetValue(c, u) };
    case F.DW_FORM_ref1:
      return { ref: u.offset + c.u8() };
    case F.DW_FORM_ref2:
      return { ref: u.offset + c.u16() };
    case F.DW_FORM_ref4:
      return { ref: u.offset + c.u32() };
    case F.DW_FORM_ref8:
      return { ref: u.offset + c.u64() };
    case F.DW_FORM_ref_udata:
      return { ref: u.offset + c.uleb() };
    case F.DW_FORM_ref_sig8:
      return { foreign: c.u64Big() };
    case F.DW_FORM_ref_sup4:
      return { foreign: c.u32() };
    case F.DW_FORM_ref_sup8:
      return { foreign: c.u64Big() };
    case F.DW_FORM_GNU_ref_alt:
      return { foreign: offsetValue(c, u) };
    case F.DW_FORM_sec_offset:
      return offsetValue(c, u);
    case F.DW_FORM_loclistx:
    case F.DW_FORM_rnglistx:
      return c.uleb();
    case F.DW_FORM_strx:
    case F.DW_FORM_addrx:
    case F.DW_FORM_GNU_addr_index:
    case F.DW_FORM_GNU_str_index:
      return { indexForm: form, index: c.uleb() };
    case F.DW_FORM_strx1:
    case F.DW_FORM_addrx1:
      return { indexForm: form, index: c.u8() };
    case F.DW_FORM_strx2:
    case F.DW_FORM_addrx2:
      return { indexForm: form, index: c.u16() };
    case F.DW_FORM_strx3:
    case F.DW_FORM_addrx3: {
      const lo = c.u16();
      return { indexForm: form, index: lo + c.u8() * 0x10000 };
    }
    case F.DW_FORM_strx4:
    case F.DW_FORM_addrx4:
      return { indexForm: form, index: c.u32() };
    case F.DW_FORM_indirect: {
      const f = c.uleb();
      if ((f === F.DW_FORM_indirect && depth > 4) || f === F.DW_FORM_implicit_const) {
        c.fail(`bad DW_FORM_indirect target 0x${f.toString(16)}`);
        return undefined;
      }
      return readForm(c, f, 0, u, s, depth + 1);
    }
    default:
      c.fail(`unknown attribute form 0x${form.toString(16)}`);
      return undefined;
  }
}

function sectionString(c: ByteCursor, sec: Uint8Array | undefined, off: number, name: string): string | undefined {
  if (c.err || sec === undefined) return undefined;
  if (!(off < sec.length)) {
    c.fail(`${name} offset 0x${off.toString(16)} is outside the section (size 0x${sec.length.toString(16)})`);
    return undefined;
  }
  const end = sec.indexOf(0, off);
  if (end < 0) {
    c.fail(`unterminated string in ${name} at 0x${off.toString(16)}`);
    return undefined;
  }
  return utf8.decode(sec.subarray(off, end));
}

const utf8 = new TextDecoder('utf-8');

/** True for the forms whose value is an index into .debug_str_offsets. */
export function isStrxForm(form: number): boolean {
  return (
    form === F.DW_FORM_strx ||
    form === F.DW_FORM_GNU_str_index ||
    (form >= F.DW_FORM_strx1 && form <= F.DW_FORM_strx4)
  );
}
