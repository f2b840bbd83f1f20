/**
 * Builds small synthetic .debug_info/.debug_abbrev (and .debug_str, .debug_line_str,
 * .debug_str_offsets, .debug_addr) sections for DWARF 4 and 5, 32- and 64-bit, for tests.
 * DIEs are described as trees; abbreviations are assigned automatically; references name a label.
 */
import * as F from '../../src/format/dwarf/constants.ts';

export type Value =
  | number
  | bigint
  | string
  | boolean
  | Uint8Array
  | { ref: string }
  | { indirect: number; value: Value };

/** [attribute, form, value]; for DW_FORM_implicit_const the value goes into the abbrev. */
export type Attr = readonly [number, number, Value];

export interface Die {
  readonly tag: number;
  readonly attrs: readonly Attr[];
  readonly children?: readonly Die[];
  /** Name this DIE for { ref } values and for the labels map. */
  readonly label?: string;
}

export interface UnitSpec {
  readonly version: 4 | 5;
  readonly offsetSize?: 4 | 8;
  readonly addrSize?: 4 | 8;
  readonly unitType?: number;
  /** The unit DIE (compile_unit) with everything below it. */
  readonly root: Die;
}

export interface BuiltDwarf {
  info: Uint8Array;
  abbrev: Uint8Array;
  str: Uint8Array;
  lineStr: Uint8Array;
  strOffsets: Uint8Array;
  addr: Uint8Array;
  /** label → absolute .debug_info offset. */
  labels: Map<string, number>;
  /** Offsets of each unit header. */
  unitOffsets: number[];
}

class Bytes {
  b: number[] = [];
  get length(): number {
    return this.b.length;
  }
  u8(v: number): void {
    this.b.push(v & 0xff);
  }
  uN(v: number | bigint, n: number): void {
    let x = BigInt(v);
    for (let i = 0; i < n; i++) {
      this.b.push(Number(x & 0xffn));
      x >>= 8n;
    }
  }
  uleb(v: number | bigint): void {
    let x = BigInt(v);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      this.b.push(byte);
    } while (x !== 0n);
  }
  sleb(v: number | bigint): void {
    let x = BigInt(v);
    for (;;) {
      const byte = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0);
      this.b.push(done ? byte : byte | 0x80);
      if (done) return;
    }
  }
  bytes(a: ArrayLike<number>): void {
    for (let i = 0; i < a.length; i++) this.b.push(a[i]!);
  }
  cstr(s: string): void {
    this.bytes(new TextEncoder().encode(s));
    this.b.push(0);
  }
  patch(off: number, v: number, n: number): void {
    for (let i = 0; i < n; i++) this.b[off + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  }
  out(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

/** Builds the sections for `units`. All units share one abbrev table at offset 0. */
export function buildDwarf(units: readonly UnitSpec[]): BuiltDwarf {
  const abbrev = new Bytes();
  const abbrevCodes = new Map<string, number>();
  const info = new Bytes();
  const str = new Bytes();
  const lineStr = new Bytes();
  const strOffsets = new Bytes();
  const addr = new Bytes();
  // .debug_str_offsets header in the first unit's format (base 8 for 32-bit, 16 for 64-bit DWARF)
  // and a 32-bit .debug_addr header (base 8).
  const sos = units[0]?.offsetSize ?? 4;
  if (sos === 8) strOffsets.uN(0xffffffff, 4);
  strOffsets.uN(0, sos); // length, patched below
  strOffsets.uN(5, 2);
  strOffsets.uN(0, 2);
  addr.uN(0, 4);
  addr.uN(5, 2);
  addr.u8(8);
  addr.u8(0);
  const strIndex: string[] = [];
  const labels = new Map<string, number>();
  const patches: { at: number; label: string; size: number; base: number }[] = [];
  const unitOffsets: number[] = [];

  const codeFor = (d: Die): number => {
    const key = `${d.tag}/${d.children !== undefined}/${d.attrs.map(([a, f, v]) => `${a}:${f}${f === F.DW_FORM_implicit_const ? `=${String(v)}` : ''}`).join(',')}`;
    let code = abbrevCodes.get(key);
    if (code === undefined) {
      code = abbrevCodes.size + 1;
      abbrevCodes.set(key, code);
      abbrev.uleb(code);
      abbrev.uleb(d.tag);
      abbrev.u8(d.children !== undefined ? 1 : 0);
      for (const [a, f, v] of d.attrs) {
        abbrev.uleb(a);
        abbrev.uleb(f);
        if (f === F.DW_FORM_implicit_const) abbrev.sleb(v as number);
      }
      abbrev.uleb(0);
      abbrev.uleb(0);
    }
    return code;
  };

  for (const u of units) {
    const os = u.offsetSize ?? 4;
    const as = u.addrSize ?? 8;
    const unitStart = info.length;
    unitOffsets.push(unitStart);
    if (os === 8) {
      info.uN(0xffffffff, 4);
      info.uN(0, 8);
    } else info.uN(0, 4);
    const lengthEnd = info.length;
    info.uN(u.version, 2);
    if (u.version >= 5) {
      const ut = u.unitType ?? F.DW_UT_compile;
      info.u8(ut);
      info.u8(as);
      info.uN(0, os);
      if (ut === F.DW_UT_skeleton || ut === F.DW_UT_split_compile) info.uN(0x1234, 8);
      if (ut === F.DW_UT_type || ut === F.DW_UT_split_type) {
        info.uN(0x1234, 8);
        info.uN(0, os);
      }
    } else {
      info.uN(0, os);
      info.u8(as);
    }
    const value = (form: number, v: Value): void => {
      switch (form) {
        case F.DW_FORM_addr:
          return info.uN(v as number | bigint, as);
        case F.DW_FORM_data1:
        case F.DW_FORM_ref1:
        case F.DW_FORM_flag:
          if (form === F.DW_FORM_ref1) return ref(v, 1, unitStart);
          return info.u8(v === true ? 1 : v === false ? 0 : Number(v));
        case F.DW_FORM_data2:
          return info.uN(v as number, 2);
        case F.DW_FORM_data4:
          return info.uN(v as number, 4);
        case F.DW_FORM_data8:
          return info.uN(v as number | bigint, 8);
        case F.DW_FORM_data16:
          return info.bytes(v as Uint8Array);
        case F.DW_FORM_sdata:
          return info.sleb(v as number | bigint);
        case F.DW_FORM_udata:
        case F.DW_FORM_loclistx:
        case F.DW_FORM_rnglistx:
          return info.uleb(v as number | bigint);
        case F.DW_FORM_string:
          return info.cstr(v as string);
        case F.DW_FORM_strp:
          info.uN(str.length, os);
          return str.cstr(v as string);
        case F.DW_FORM_line_strp:
          info.uN(lineStr.length, os);
          return lineStr.cstr(v as string);
        case F.DW_FORM_strx:
        case F.DW_FORM_strx1:
        case F.DW_FORM_strx2:
        case F.DW_FORM_strx3:
        case F.DW_FORM_strx4: {
          const idx = strIndex.length;
          strIndex.push(v as string);
          strOffsets.uN(str.length, sos);
          str.cstr(v as string);
          if (form === F.DW_FORM_strx) return info.uleb(idx);
          return info.uN(idx, form - F.DW_FORM_strx1 + 1);
        }
        case F.DW_FORM_addrx:
        case F.DW_FORM_addrx1:
        case F.DW_FORM_addrx2:
        case F.DW_FORM_addrx3:
        case F.DW_FORM_addrx4: {
          const idx = (addr.length - 8) / 8;
          addr.uN(v as number, 8);
          if (form === F.DW_FORM_addrx) return info.uleb(idx);
          return info.uN(idx, form - F.DW_FORM_addrx1 + 1);
        }
        case F.DW_FORM_block1:
          info.u8((v as Uint8Array).length);
          return info.bytes(v as Uint8Array);
        case F.DW_FORM_block2:
          info.uN((v as Uint8Array).length, 2);
          return info.bytes(v as Uint8Array);
        case F.DW_FORM_block4:
          info.uN((v as Uint8Array).length, 4);
          return info.bytes(v as Uint8Array);
        case F.DW_FORM_block:
        case F.DW_FORM_exprloc:
          info.uleb((v as Uint8Array).length);
          return info.bytes(v as Uint8Array);
        case F.DW_FORM_flag_present:
        case F.DW_FORM_implicit_const:
          return;
        case F.DW_FORM_sec_offset:
          return info.uN(v as number, os);
        case F.DW_FORM_ref_sig8:
          return info.uN(v as bigint, 8);
        case F.DW_FORM_ref_addr:
          return ref(v, os, 0);
        case F.DW_FORM_ref2:
          return ref(v, 2, unitStart);
        case F.DW_FORM_ref4:
          return ref(v, 4, unitStart);
        case F.DW_FORM_ref8:
          return ref(v, 8, unitStart);
        case F.DW_FORM_indirect: {
          const ind = v as { indirect: number; value: Value };
          info.uleb(ind.indirect);
          return value(ind.indirect, ind.value);
        }
        default:
          throw new Error(`builder: form 0x${form.toString(16)} not supported`);
      }
    };
    const ref = (v: Value, size: number, base: number): void => {
      patches.push({ at: info.length, label: (v as { ref: string }).ref, size, base });
      info.uN(0, size);
    };
    const emit = (d: Die): void => {
      if (d.label !== undefined) labels.set(d.label, info.length);
      info.uleb(codeFor(d));
      for (const [, f, v] of d.attrs) value(f, v);
      if (d.children !== undefined) {
        for (const c of d.children) emit(c);
        info.u8(0);
      }
    };
    emit(u.root);
    const len = info.length - lengthEnd;
    if (os === 8) info.patch(unitStart + 4, len, 8);
    else info.patch(unitStart, len, 4);
  }
  abbrev.u8(0);
  for (const p of patches) {
    const target = labels.get(p.label);
    if (target === undefined) throw new Error(`builder: unknown label ${p.label}`);
    info.patch(p.at, target - p.base, p.size);
  }
  if (sos === 8) strOffsets.patch(4, strOffsets.length - 12, 8);
  else strOffsets.patch(0, strOffsets.length - 4, 4);
  addr.patch(0, addr.length - 4, 4);
  return {
    info: info.out(),
    abbrev: abbrev.out(),
    str: str.out(),
    lineStr: lineStr.out(),
    strOffsets: strOffsets.out(),
    addr: addr.out(),
    labels,
    unitOffsets,
  };
}

/** DW_OP_addr <8-byte address>. */
export function opAddr(a: number): Uint8Array {
  const b = new Bytes();
  b.u8(F.DW_OP_addr);
  b.uN(a, 8);
  return b.out();
}
