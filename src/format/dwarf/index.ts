/**
 * One pass over .debug_info that indexes what gospy needs from a Go binary's DWARF, after
 * golang/go:src/cmd/link/internal/ld/dwarf.go (one compile unit per package, DW_LANG_Go, fully
 * qualified names on unit-level DIEs) and golang/debug internal/gocore/dwarf.go (runtime types,
 * globals and constants read from the binary's own DWARF). Unit headers follow DWARF 4 §7.5.1.1 and
 * DWARF 5 §7.5.1. Units in other languages (C units added by external linking) have only their unit
 * DIE read and are then skipped by unit_length.
 */
import { FormatError } from '../../base/errors.ts';
import { ByteCursor } from '../../base/cursor.ts';
import { u32, u64 } from '../../base/bytes.ts';
import { parseAbbrevTable, type AbbrevTable } from './abbrev.ts';
import * as C from './constants.ts';
import { INFO, readChildren, readEntry, resolveIndexed, type DwarfEntry, type DwarfUnit } from './entry.ts';
import { compileSkip, runSkip, SLOW } from './skip.ts';
import { isDieRef, isIndexed, readForm, skipForm, type DwarfSections, type FormValue } from './forms.ts';
import { DwarfType, type TypeSource } from './types.ts';
import { parseUnitHeader } from './unit.ts';

export type { DwarfSections, FormValue, DieRef } from './forms.ts';
export type { DwarfEntry } from './entry.ts';
export { DwarfType, type DwarfMember, type DwarfTypeKind } from './types.ts';
export { fieldOffset, resolveField, type ResolvedField } from './field-path.ts';

/** A unit-level DW_TAG_variable. `address` is the link-time address from DW_OP_addr/DW_OP_addrx. */
export interface DwarfVariable {
  readonly name: string;
  readonly address: number | undefined;
  readonly typeOffset: number | undefined;
  readonly type: DwarfType | undefined;
}

/** One unit as seen by the index. */
export interface DwarfUnitSummary {
  readonly offset: number;
  readonly version: number;
  readonly unitType: number;
  readonly offsetSize: number;
  readonly language: number | undefined;
  readonly name: string | undefined;
  readonly producer: string | undefined;
}

interface VarRecord {
  readonly address: number | undefined;
  readonly typeOffset: number | undefined;
}

/** The result of parseDwarf: lookups by qualified name plus lazy type decoding by offset. */
export class DwarfIndex implements TypeSource {
  /** DW_AT_producer of the first Go unit, e.g. "Go cmd/compile go1.21.13; regabi". */
  readonly producer: string | undefined;
  readonly units: readonly DwarfUnitSummary[];
  readonly #s: DwarfSections;
  readonly #units: DwarfUnit[];
  readonly #structs: Map<string, number>;
  readonly #typedefs: Map<string, number>;
  readonly #bases: Map<string, number>;
  readonly #otherTypes: Map<string, number>;
  readonly #vars: Map<string, VarRecord>;
  readonly #consts: Map<string, number | bigint>;
  readonly #types = new Map<number, DwarfType>();

  /** Use parseDwarf. */
  constructor(s: DwarfSections, r: WalkResult) {
    this.#s = s;
    this.#units = r.units;
    this.units = r.summaries;
    this.producer = r.summaries.find((u) => u.language === C.DW_LANG_Go && u.producer !== undefined)?.producer;
    this.#structs = r.structs;
    this.#typedefs = r.typedefs;
    this.#bases = r.bases;
    this.#otherTypes = r.otherTypes;
    this.#vars = r.vars;
    this.#consts = r.consts;
  }

  /** The struct named `name` (e.g. "runtime.g"), also reached through a same-named typedef. */
  struct(name: string): DwarfType | undefined {
    const off = this.#structs.get(name);
    if (off !== undefined) return this.type(off);
    const t = this.typedef(name)?.resolve();
    return t !== undefined && t.tag === C.DW_TAG_structure_type ? t : undefined;
  }

  typedef(name: string): DwarfType | undefined {
    const off = this.#typedefs.get(name);
    return off === undefined ? undefined : this.type(off);
  }

  baseType(name: string): DwarfType | undefined {
    const off = this.#bases.get(name);
    return off === undefined ? undefined : this.type(off);
  }

  /** Any unit-level named type: struct, typedef, base type, pointer ("*runtime.g"), array… */
  typeByName(name: string): DwarfType | undefined {
    const off = this.#structs.get(name) ?? this.#typedefs.get(name) ?? this.#bases.get(name) ?? this.#otherTypes.get(name);
    return off === undefined ? undefined : this.type(off);
  }

  /** The type DIE at a .debug_info offset. Throws FormatError if no entry starts there. */
  type(offset: number): DwarfType {
    let t = this.#types.get(offset);
    if (t === undefined) {
      t = new DwarfType(this, this.entryAt(offset));
      this.#types.set(offset, t);
    }
    return t;
  }

  variable(name: string): DwarfVariable | undefined {
    const v = this.#vars.get(name);
    if (v === undefined) return undefined;
    const typeOffset = v.typeOffset;
    const self = this;
    return {
      name,
      address: v.address,
      typeOffset,
      get type() {
        return typeOffset === undefined ? undefined : self.type(typeOffset);
      },
    };
  }

  /** DW_AT_const_value of a unit-level DW_TAG_constant such as "runtime._Grunning". */
  constant(name: string): number | bigint | undefined {
    return this.#consts.get(name);
  }

  /** All constants whose name starts with `prefix` (e.g. "runtime.waitReason"), in DIE order. */
  constantsWithPrefix(prefix: string): [string, number | bigint][] {
    const out: [string, number | bigint][] = [];
    for (const [k, v] of this.#consts) if (k.startsWith(prefix)) out.push([k, v]);
    return out;
  }

  get variableNames(): Iterable<string> {
    return this.#vars.keys();
  }

  /** The DIE at `offset`. Throws FormatError when no unit contains it or a null entry is there. */
  entryAt(offset: number): DwarfEntry {
    const unit = this.#unitOf(offset);
    const e = readEntry(this.#s, unit, offset);
    if (e === undefined) throw new FormatError(INFO, 'reference to a null entry', offset);
    return e;
  }

  childrenOf(entry: DwarfEntry): DwarfEntry[] {
    return readChildren(this.#s, this.#unitOf(entry.offset), entry);
  }

  #unitOf(offset: number): DwarfUnit {
    const us = this.#units;
    let lo = 0;
    let hi = us.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const h = us[mid]!.header;
      if (offset < h.offset) hi = mid - 1;
      else if (offset >= h.end) lo = mid + 1;
      else if (offset >= h.dieOffset) return us[mid]!;
      else break;
    }
    throw new FormatError(INFO, 'reference to an offset outside every unit', Number.isFinite(offset) ? offset : undefined);
  }
}

interface WalkResult {
  units: DwarfUnit[];
  summaries: DwarfUnitSummary[];
  structs: Map<string, number>;
  typedefs: Map<string, number>;
  bases: Map<string, number>;
  otherTypes: Map<string, number>;
  vars: Map<string, VarRecord>;
  consts: Map<string, number | bigint>;
}

/**
 * Indexes the unit-level DIEs of every Go unit. Throws FormatError on malformed bytes (bounded:
 * every loop advances through the section or stops).
 */
export function parseDwarf(sections: DwarfSections): DwarfIndex {
  const s = sections;
  const r: WalkResult = {
    units: [],
    summaries: [],
    structs: new Map(),
    typedefs: new Map(),
    bases: new Map(),
    otherTypes: new Map(),
    vars: new Map(),
    consts: new Map(),
  };
  const abbrevCache = new Map<number, AbbrevTable>();
  let off = 0;
  while (off < s.info.length) {
    const h = parseUnitHeader(s.info, off);
    let abbrevs = abbrevCache.get(h.abbrevOffset);
    if (abbrevs === undefined) {
      abbrevs = parseAbbrevTable(s.abbrev, h.abbrevOffset);
      abbrevCache.set(h.abbrevOffset, abbrevs);
    }
    const unit: DwarfUnit = { header: h, abbrevs, strOffsetsBase: h.offsetSize === 8 ? 16 : 8, addrBase: h.offsetSize === 8 ? 16 : 8 };
    r.units.push(unit);
    const top = h.dieOffset < h.end ? readEntry(s, unit, h.dieOffset) : undefined;
    const lang = top?.attrs.get(C.DW_AT_language);
    const name = top?.attrs.get(C.DW_AT_name);
    const producer = top?.attrs.get(C.DW_AT_producer);
    r.summaries.push({
      offset: h.offset,
      version: h.version,
      unitType: h.unitType,
      offsetSize: h.offsetSize,
      language: typeof lang === 'number' ? lang : undefined,
      name: typeof name === 'string' ? name : undefined,
      producer: typeof producer === 'string' ? producer : undefined,
    });
    const isUnit = top !== undefined && (top.tag === C.DW_TAG_compile_unit || top.tag === C.DW_TAG_partial_unit);
    if (isUnit && lang === C.DW_LANG_Go && top.hasChildren) walkGoUnit(s, unit, top.end, r);
    off = h.end;
  }
  return new DwarfIndex(s, r);
}

function walkGoUnit(s: DwarfSections, unit: DwarfUnit, start: number, r: WalkResult): void {
  const u = unit.header;
  const d = s.info;
  const end = u.end;
  // Abbrev code → compiled skip program (dense codes in an array; Go uses codes below 64).
  const progs: (Int32Array | undefined)[] = [];
  let c: ByteCursor | undefined;
  let pos = start;
  let depth = 1;
  while (depth > 0 && pos < end) {
    const at = pos;
    // Inline ULEB128 abbrev code.
    let code = 0;
    let mul = 1;
    for (let k = 0; ; k++) {
      if (pos >= end || k > 9) throw new FormatError(INFO, 'bad abbrev code', at);
      const b = d[pos++]!;
      code += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    if (code === 0) {
      depth--;
      continue;
    }
    const ab = unit.abbrevs.get(code);
    if (ab === undefined) throw new FormatError(INFO, `unknown abbrev code ${code}`, at);
    if (depth === 1 && isIndexedTag(ab.tag)) {
      c ??= new ByteCursor(d.subarray(0, end), INFO);
      c.off = pos;
      indexEntry(s, unit, c, ab.tag, ab.attrs, ab.forms, ab.implicit, at, r);
      pos = c.off;
    } else {
      let prog = code < 4096 ? progs[code] : undefined;
      if (prog === undefined) {
        prog = compileSkip(ab, u);
        if (code < 4096) progs[code] = prog;
      }
      if (prog[0] === SLOW) {
        c ??= new ByteCursor(d.subarray(0, end), INFO);
        c.off = pos;
        for (let i = 0; i < ab.forms.length; i++) skipForm(c, ab.forms[i]!, u);
        if (c.err) throw c.err;
        pos = c.off;
      } else {
        pos = runSkip(d, pos, end, prog);
        if (pos < 0) throw new FormatError(INFO, `attributes of entry run past the unit end (0x${end.toString(16)})`, at);
      }
    }
    if (ab.hasChildren) depth++;
  }
}

function isIndexedTag(tag: number): boolean {
  switch (tag) {
    case C.DW_TAG_structure_type:
    case C.DW_TAG_typedef:
    case C.DW_TAG_base_type:
    case C.DW_TAG_pointer_type:
    case C.DW_TAG_array_type:
    case C.DW_TAG_variable:
    case C.DW_TAG_constant:
      return true;
    default:
      return false;
  }
}

function indexEntry(
  s: DwarfSections,
  unit: DwarfUnit,
  c: ByteCursor,
  tag: number,
  attrs: readonly number[],
  forms: readonly number[],
  implicit: readonly number[],
  at: number,
  r: WalkResult,
): void {
  const u = unit.header;
  let name: FormValue;
  let type: FormValue;
  let loc: FormValue;
  let value: FormValue;
  for (let i = 0; i < attrs.length; i++) {
    switch (attrs[i]) {
      case C.DW_AT_name:
        name = readForm(c, forms[i]!, implicit[i]!, u, s);
        break;
      case C.DW_AT_type:
        type = readForm(c, forms[i]!, implicit[i]!, u, s);
        break;
      case C.DW_AT_location:
        loc = tag === C.DW_TAG_variable ? readForm(c, forms[i]!, implicit[i]!, u, s) : (skipForm(c, forms[i]!, u), undefined);
        break;
      case C.DW_AT_const_value:
        value = tag === C.DW_TAG_constant ? readForm(c, forms[i]!, implicit[i]!, u, s) : (skipForm(c, forms[i]!, u), undefined);
        break;
      default:
        skipForm(c, forms[i]!, u);
    }
  }
  if (c.err) throw c.err;
  if (isIndexed(name)) name = resolveIndexed(s, unit, name.indexForm, name.index, at);
  if (typeof name !== 'string') return; // unnamed (or a string section that was not supplied)
  switch (tag) {
    case C.DW_TAG_structure_type:
      setFirst(r.structs, name, at);
      return;
    case C.DW_TAG_typedef:
      setFirst(r.typedefs, name, at);
      return;
    case C.DW_TAG_base_type:
      setFirst(r.bases, name, at);
      return;
    case C.DW_TAG_pointer_type:
    case C.DW_TAG_array_type:
      setFirst(r.otherTypes, name, at);
      return;
    case C.DW_TAG_variable:
      if (!r.vars.has(name)) {
        r.vars.set(name, { address: locationAddress(s, unit, loc, at), typeOffset: isDieRef(type) ? type.ref : undefined });
      }
      return;
    case C.DW_TAG_constant:
      if ((typeof value === 'number' || typeof value === 'bigint') && !r.consts.has(name)) r.consts.set(name, value);
      return;
  }
}

function setFirst(m: Map<string, number>, k: string, v: number): void {
  if (!m.has(k)) m.set(k, v);
}

/** A location expression that is exactly DW_OP_addr <addr> or DW_OP_addrx <index>. */
function locationAddress(s: DwarfSections, unit: DwarfUnit, loc: FormValue, at: number): number | undefined {
  if (!(loc instanceof Uint8Array) || loc.length === 0) return undefined;
  const u = unit.header;
  if (loc[0] === C.DW_OP_addr && loc.length === 1 + u.addrSize) {
    const a = u.addrSize === 8 ? u64(loc, 1) : u32(loc, 1);
    return Number.isNaN(a) ? undefined : a;
  }
  if ((loc[0] === C.DW_OP_addrx || loc[0] === C.DW_OP_GNU_addr_index) && s.addr !== undefined) {
    const c = new ByteCursor(loc, 'dwarf location', 1);
    const idx = c.uleb();
    if (c.err || c.off !== loc.length) return undefined;
    const pos = unit.addrBase + idx * u.addrSize;
    if (!(pos + u.addrSize <= s.addr.length)) throw new FormatError(INFO, `address index ${idx} is outside .debug_addr`, at);
    return u.addrSize === 8 ? u64(s.addr, pos) : u32(s.addr, pos);
  }
  return undefined;
}
