/**
 * Debugging information entries (DIEs), mirroring DWARF 5 §7.5.2 and Go's debug/dwarf entry.go:
 * an abbrev code (0 ends a sibling chain), then one value per (attribute, form) of the abbrev.
 * Units carry their DWARF 5 bases (DW_AT_str_offsets_base, DW_AT_addr_base) for strx/addrx forms.
 */
import { ByteCursor } from '../../base/cursor.ts';
import { FormatError } from '../../base/errors.ts';
import { u32, u64 } from '../../base/bytes.ts';
import type { AbbrevTable } from './abbrev.ts';
import { DW_AT_addr_base, DW_AT_str_offsets_base } from './constants.ts';
import { isIndexed, isStrxForm, readForm, skipForm, type DwarfSections, type FormValue } from './forms.ts';
import type { UnitHeader } from './unit.ts';

/** A unit ready for DIE reading: header, abbreviations and the bases from its unit DIE. */
export interface DwarfUnit {
  readonly header: UnitHeader;
  readonly abbrevs: AbbrevTable;
  strOffsetsBase: number;
  addrBase: number;
}

export interface DwarfEntry {
  readonly offset: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attrs: ReadonlyMap<number, FormValue>;
  /** Offset just after this entry's attributes: its first child, or its next sibling. */
  readonly end: number;
}

export const INFO = 'dwarf .debug_info';

/** A cursor over one unit's bytes (reads past the unit end fail). */
export function unitCursor(s: DwarfSections, u: UnitHeader, off: number): ByteCursor {
  return new ByteCursor(s.info.subarray(0, u.end), INFO, off);
}

/**
 * Reads the entry at `offset` of `unit`. Returns undefined for a null entry (abbrev code 0). Throws
 * FormatError for an unknown abbrev code or truncated attributes.
 */
export function readEntry(s: DwarfSections, unit: DwarfUnit, offset: number): DwarfEntry | undefined {
  const u = unit.header;
  if (!(offset >= u.dieOffset && offset < u.end)) {
    throw new FormatError(INFO, `entry offset 0x${offset.toString(16)} is outside its unit [0x${u.dieOffset.toString(16)}, 0x${u.end.toString(16)})`);
  }
  const c = unitCursor(s, u, offset);
  const code = c.uleb();
  if (c.err) throw c.err;
  if (code === 0) return undefined;
  const ab = unit.abbrevs.get(code);
  if (ab === undefined) throw new FormatError(INFO, `unknown abbrev code ${code}`, offset);
  const attrs = new Map<number, FormValue>();
  let indexed = false;
  for (let i = 0; i < ab.attrs.length; i++) {
    const v = readForm(c, ab.forms[i]!, ab.implicit[i]!, u, s);
    if (c.err) throw c.err;
    if (isIndexed(v)) indexed = true;
    attrs.set(ab.attrs[i]!, v);
  }
  // The unit DIE carries the DWARF 5 bases, possibly after attributes that use them.
  if (offset === u.dieOffset) {
    const sb = attrs.get(DW_AT_str_offsets_base);
    if (typeof sb === 'number') unit.strOffsetsBase = sb;
    const ab2 = attrs.get(DW_AT_addr_base);
    if (typeof ab2 === 'number') unit.addrBase = ab2;
  }
  if (indexed) {
    for (const [k, v] of attrs) if (isIndexed(v)) attrs.set(k, resolveIndexed(s, unit, v.indexForm, v.index, offset));
  }
  return { offset, tag: ab.tag, hasChildren: ab.hasChildren, attrs, end: c.off };
}

/** Resolves an strx/addrx index against the unit's DWARF 5 bases (undefined if a section is absent). */
export function resolveIndexed(s: DwarfSections, unit: DwarfUnit, form: number, index: number, at: number): FormValue {
  const u = unit.header;
  if (isStrxForm(form)) {
    const sec = s.strOffsets;
    if (sec === undefined || s.str === undefined) return undefined;
    const pos = unit.strOffsetsBase + index * u.offsetSize;
    if (!(pos + u.offsetSize <= sec.length)) throw new FormatError(INFO, `string index ${index} is outside .debug_str_offsets`, at);
    const off = u.offsetSize === 8 ? u64(sec, pos) : u32(sec, pos);
    if (!(off < s.str.length)) throw new FormatError(INFO, `.debug_str offset 0x${off.toString(16)} is outside the section`, at);
    const end = s.str.indexOf(0, off);
    if (end < 0) throw new FormatError(INFO, 'unterminated string in .debug_str', at);
    return new TextDecoder().decode(s.str.subarray(off, end));
  }
  const sec = s.addr;
  if (sec === undefined) return undefined;
  const pos = unit.addrBase + index * u.addrSize;
  if (!(pos + u.addrSize <= sec.length)) throw new FormatError(INFO, `address index ${index} is outside .debug_addr`, at);
  return u.addrSize === 8 ? u64(sec, pos) : u32(sec, pos);
}

/** Reads the direct children of the entry `parent` (grandchildren are skipped). */
export function readChildren(s: DwarfSections, unit: DwarfUnit, parent: DwarfEntry): DwarfEntry[] {
  const out: DwarfEntry[] = [];
  if (!parent.hasChildren) return out;
  let off = parent.end;
  const end = unit.header.end;
  while (off < end) {
    const e = readEntry(s, unit, off);
    if (e === undefined) return out;
    out.push(e);
    off = e.hasChildren ? skipSubtree(s, unit, e.end) : e.end;
  }
  throw new FormatError(INFO, `children of entry 0x${parent.offset.toString(16)} run past the unit end`, parent.offset);
}

/**
 * Skips a chain of siblings starting at `off` (the first child of some entry) through its null
 * terminator, and returns the offset after it.
 */
export function skipSubtree(s: DwarfSections, unit: DwarfUnit, off: number): number {
  const u = unit.header;
  const c = unitCursor(s, u, off);
  let depth = 1;
  while (depth > 0) {
    if (c.off >= u.end) throw new FormatError(INFO, 'entries run past the unit end', c.off);
    const at = c.off;
    const code = c.uleb();
    if (c.err) throw c.err;
    if (code === 0) {
      depth--;
      continue;
    }
    const ab = unit.abbrevs.get(code);
    if (ab === undefined) throw new FormatError(INFO, `unknown abbrev code ${code}`, at);
    for (let i = 0; i < ab.forms.length; i++) skipForm(c, ab.forms[i]!, u);
    if (c.err) throw c.err;
    if (ab.hasChildren) depth++;
  }
  return c.off;
}
