/**
 * .debug_abbrev tables, mirroring DWARF 5 §7.5.3 (and DWARF 4 §7.5.3): each entry is
 * code, tag, has_children, then (attribute, form) pairs ended by (0, 0); DW_FORM_implicit_const
 * (DWARF 5) carries its value here as an SLEB128 after the form.
 */
import { ByteCursor } from '../../base/cursor.ts';
import { FormatError } from '../../base/errors.ts';
import { DW_FORM_implicit_const } from './constants.ts';

export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attrs: readonly number[];
  readonly forms: readonly number[];
  /** Value of each DW_FORM_implicit_const attribute (0 for other forms). */
  readonly implicit: readonly number[];
}

/** Abbreviations of one table, looked up by code. */
export interface AbbrevTable {
  get(code: number): Abbrev | undefined;
  readonly size: number;
}

const WHAT = 'dwarf .debug_abbrev';
const MAX_ATTRS = 1024;

/** Parses the abbreviation table starting at `offset`. Throws FormatError on malformed bytes. */
export function parseAbbrevTable(abbrev: Uint8Array, offset: number): AbbrevTable {
  if (offset < 0 || offset >= abbrev.length) {
    throw new FormatError(WHAT, `table offset 0x${offset.toString(16)} is outside the section (size 0x${abbrev.length.toString(16)})`);
  }
  const c = new ByteCursor(abbrev, WHAT, offset);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const entryOff = c.off;
    const code = c.uleb();
    if (c.err) throw c.err;
    if (code === 0) break;
    const tag = c.uleb();
    const children = c.u8();
    const attrs: number[] = [];
    const forms: number[] = [];
    const implicit: number[] = [];
    for (;;) {
      const at = c.uleb();
      const form = c.uleb();
      if (c.err) throw c.err;
      if (at === 0 && form === 0) break;
      attrs.push(at);
      forms.push(form);
      implicit.push(form === DW_FORM_implicit_const ? c.sleb() : 0);
      if (attrs.length > MAX_ATTRS) throw new FormatError(WHAT, `abbrev ${code} has more than ${MAX_ATTRS} attributes`, entryOff);
    }
    if (c.err) throw c.err;
    if (table.has(code)) throw new FormatError(WHAT, `duplicate abbrev code ${code}`, entryOff);
    table.set(code, { code, tag, hasChildren: children !== 0, attrs, forms, implicit });
  }
  return table;
}
