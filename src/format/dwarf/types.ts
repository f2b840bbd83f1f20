/**
 * Type DIEs as Go's linker writes them (golang/go:src/cmd/link/internal/ld/dwarf.go, defgotype and
 * its DW_ABRV_* abbreviations): structs, typedefs, base types, pointers, arrays with one subrange,
 * and Go slices/strings, which are DW_TAG_structure_type with DW_AT_go_kind 23/24 (slice element in
 * DW_AT_go_elem). Member offsets are DW_AT_data_member_location constants (DWARF 5 §5.7.6); the
 * DWARF 2 DW_OP_plus_uconst block form is accepted too. Everything is decoded lazily.
 */
import { ByteCursor } from '../../base/cursor.ts';
import * as C from './constants.ts';
import { isDieRef, type FormValue } from './forms.ts';
import type { DwarfEntry } from './entry.ts';

export type DwarfTypeKind = 'struct' | 'base' | 'pointer' | 'array' | 'typedef' | 'slice' | 'string' | 'other';

/** What a type view needs from the index: entries and children by offset. */
export interface TypeSource {
  entryAt(offset: number): DwarfEntry;
  childrenOf(entry: DwarfEntry): DwarfEntry[];
  type(offset: number): DwarfType;
}

export interface DwarfMember {
  readonly name: string;
  /** Byte offset inside the enclosing struct. */
  readonly offset: number;
  /** DW_AT_go_embedded_field. */
  readonly embedded: boolean;
  readonly typeOffset: number | undefined;
  readonly type: DwarfType | undefined;
}

/** A type DIE. Pointer/typedef/array/slice targets and struct members are resolved on first use. */
export class DwarfType {
  readonly offset: number;
  readonly tag: number;
  readonly kind: DwarfTypeKind;
  readonly name: string;
  /** DW_AT_byte_size, when present. */
  readonly size: number | undefined;
  /** DW_AT_go_kind (reflect.Kind), when present. */
  readonly goKind: number | undefined;
  /** DIE offset of the target (typedef, pointer, array element, slice element). */
  readonly elemOffset: number | undefined;
  readonly #src: TypeSource;
  readonly #entry: DwarfEntry;
  #members: readonly DwarfMember[] | undefined;
  #count: number | undefined | null = null;

  constructor(src: TypeSource, entry: DwarfEntry) {
    this.#src = src;
    this.#entry = entry;
    this.offset = entry.offset;
    this.tag = entry.tag;
    const a = entry.attrs;
    const name = a.get(C.DW_AT_name);
    this.name = typeof name === 'string' ? name : '';
    this.size = num(a.get(C.DW_AT_byte_size));
    this.goKind = num(a.get(C.DW_AT_go_kind));
    this.kind = kindOf(entry.tag, this.goKind);
    const target = this.kind === 'slice' ? a.get(C.DW_AT_go_elem) : a.get(C.DW_AT_type);
    this.elemOffset = isDieRef(target) ? target.ref : undefined;
  }

  /** Target type: pointee, typedef target, array or slice element. */
  get elem(): DwarfType | undefined {
    return this.elemOffset === undefined ? undefined : this.#src.type(this.elemOffset);
  }

  /** Number of elements of an array (from its DW_TAG_subrange_type child). */
  get count(): number | undefined {
    if (this.#count === null) {
      this.#count = undefined;
      if (this.kind === 'array') {
        for (const ch of this.#src.childrenOf(this.#entry)) {
          if (ch.tag !== C.DW_TAG_subrange_type) continue;
          const n = num(ch.attrs.get(C.DW_AT_count));
          const ub = num(ch.attrs.get(C.DW_AT_upper_bound));
          this.#count = n ?? (ub === undefined ? undefined : ub + 1);
          break;
        }
      }
    }
    return this.#count;
  }

  /** Members of a struct, slice or string header; undefined for other kinds. */
  get members(): readonly DwarfMember[] | undefined {
    if (this.#members === undefined && (this.tag === C.DW_TAG_structure_type)) {
      this.#members = this.#src.childrenOf(this.#entry)
        .filter((e) => e.tag === C.DW_TAG_member)
        .map((e) => makeMember(this.#src, e));
    }
    return this.#members;
  }

  member(name: string): DwarfMember | undefined {
    return this.members?.find((m) => m.name === name);
  }

  /** This type with typedefs stripped (bounded, so a typedef cycle cannot hang). */
  resolve(): DwarfType {
    let t: DwarfType = this;
    for (let i = 0; i < 32 && t.kind === 'typedef'; i++) {
      const e = t.elem;
      if (e === undefined) break;
      t = e;
    }
    return t;
  }
}

function kindOf(tag: number, goKind: number | undefined): DwarfTypeKind {
  switch (tag) {
    case C.DW_TAG_structure_type:
      return goKind === C.GO_KIND_SLICE ? 'slice' : goKind === C.GO_KIND_STRING ? 'string' : 'struct';
    case C.DW_TAG_base_type:
      return 'base';
    case C.DW_TAG_pointer_type:
      return 'pointer';
    case C.DW_TAG_array_type:
      return 'array';
    case C.DW_TAG_typedef:
      return 'typedef';
    default:
      return 'other';
  }
}

function makeMember(src: TypeSource, e: DwarfEntry): DwarfMember {
  const a = e.attrs;
  const name = a.get(C.DW_AT_name);
  const t = a.get(C.DW_AT_type);
  const typeOffset = isDieRef(t) ? t.ref : undefined;
  let cached: DwarfType | undefined;
  return {
    name: typeof name === 'string' ? name : '',
    offset: memberOffset(a.get(C.DW_AT_data_member_location)) ?? 0,
    embedded: a.get(C.DW_AT_go_embedded_field) === true,
    typeOffset,
    get type(): DwarfType | undefined {
      if (cached === undefined && typeOffset !== undefined) cached = src.type(typeOffset);
      return cached;
    },
  };
}

/** DW_AT_data_member_location: a constant, or a DWARF 2 block `DW_OP_plus_uconst n`. */
function memberOffset(v: FormValue): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Uint8Array && v.length >= 2 && v[0] === 0x23) {
    const c = new ByteCursor(v, 'dwarf member location');
    c.u8();
    const n = c.uleb();
    return c.err ? undefined : n;
  }
  return undefined;
}

function num(v: FormValue): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
