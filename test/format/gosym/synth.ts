/**
 * Builds tiny synthetic pclntabs (64-bit, little-endian) for each era, laid out as
 * cmd/link/internal/ld/pcln.go writes them, so tests can exercise every decoder path with known answers.
 */
import { encodePcValue } from '../../../src/format/gosym/index.ts';
import type { PclnVersion } from '../../../src/format/gosym/index.ts';

export type Pairs = [valueDelta: number, pcDelta: number][];

export interface SynFunc {
  name: string;
  size: number;
  funcID?: number;
  flag?: number;
  args?: number;
  deferreturn?: number;
  startLine?: number;
  pcsp?: Pairs;
  pcfile?: Pairs;
  pcln?: Pairs;
  pcdata?: (Pairs | undefined)[];
  /** ≤1.17: absolute pointers (0/undefined = none); 1.18+: offsets from gofunc (undefined = none). */
  funcdata?: (number | undefined)[];
}

export interface SynSpec {
  version: PclnVersion;
  quantum?: number;
  /** First function's address (absolute for ≤1.17; 1.18+ entries are offsets from the context's textStart). */
  textStart: number;
  files: string[];
  funcs: SynFunc[];
}

export interface SynTable {
  data: Uint8Array;
  /** Offset of each _func record. */
  funcOffs: number[];
  entries: number[];
}

const MAGIC: Record<PclnVersion, number> = { '1.2': 0xfffffffb, '1.16': 0xfffffffa, '1.18': 0xfffffff0, '1.20': 0xfffffff1 };

class Buf {
  b: number[] = [];
  get len(): number {
    return this.b.length;
  }
  u8(v: number): void {
    this.b.push(v & 0xff);
  }
  u32(v: number): void {
    for (let i = 0; i < 4; i++) this.b.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  }
  u64(v: number): void {
    this.u32(v % 2 ** 32);
    this.u32(Math.floor(v / 2 ** 32));
  }
  setU32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.b[at + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  }
  setU64(at: number, v: number): void {
    this.setU32(at, v % 2 ** 32);
    this.setU32(at + 4, Math.floor(v / 2 ** 32));
  }
  bytes(a: Uint8Array | number[]): void {
    for (const x of a) this.b.push(x);
  }
  str(s: string): void {
    this.bytes(new TextEncoder().encode(s));
    this.b.push(0);
  }
  align(n: number): void {
    while (this.b.length % n) this.b.push(0);
  }
}

export function buildTable(spec: SynSpec): SynTable {
  const v = spec.version;
  const split = v !== '1.2';
  const off32 = v === '1.18' || v === '1.20';
  const P = 8;
  const entries: number[] = [];
  let pc = spec.textStart;
  for (const f of spec.funcs) {
    entries.push(pc);
    pc += f.size;
  }
  entries.push(pc);

  // string tables and pc tables are built into separate buffers, then placed
  const names = new Buf();
  const nameOffs = spec.funcs.map((f) => {
    const o = names.len;
    names.str(f.name);
    return o;
  });
  const files = new Buf();
  const fileOffs = spec.files.map((s) => {
    const o = files.len;
    files.str(s);
    return o;
  });
  const pctab = new Buf();
  pctab.u8(0); // offset 0 means "no table"
  const addTab = (p: Pairs | undefined): number => {
    if (!p) return 0;
    const o = pctab.len;
    pctab.bytes(encodePcValue(p));
    return o;
  };
  const tabs = spec.funcs.map((f) => ({
    pcsp: addTab(f.pcsp), pcfile: addTab(f.pcfile), pcln: addTab(f.pcln), pcdata: (f.pcdata ?? []).map(addTab),
  }));

  const out = new Buf();
  out.u32(MAGIC[v]);
  out.u8(0);
  out.u8(0);
  out.u8(spec.quantum ?? 1);
  out.u8(P);
  out.u64(spec.funcs.length);
  const funcOffs: number[] = [];

  const writeFunc = (i: number, nameBase: number, pctabBase: number): void => {
    const f = spec.funcs[i]!;
    const t = tabs[i]!;
    if (off32) out.u32(entries[i]! - spec.textStart);
    else out.u64(entries[i]!);
    out.u32(nameOffs[i]! + nameBase);
    out.u32(f.args ?? 0);
    out.u32(f.deferreturn ?? 0);
    const rel = (o: number): number => (o === 0 ? 0 : o + pctabBase);
    out.u32(rel(t.pcsp));
    out.u32(rel(t.pcfile));
    out.u32(rel(t.pcln));
    out.u32(t.pcdata.length);
    if (split) out.u32(0); // cuOffset
    if (v === '1.20') out.u32(f.startLine ?? 0);
    out.u8(f.funcID ?? 0);
    out.u8(f.flag ?? 0);
    out.u8(0);
    out.u8((f.funcdata ?? []).length);
    for (const o of t.pcdata) out.u32(rel(o));
    const fd = f.funcdata ?? [];
    if (off32) {
      for (const x of fd) out.u32(x === undefined ? 0xffffffff : x);
    } else {
      if (fd.length > 0 && out.len % 8 === 4) out.u32(0);
      for (const x of fd) out.u64(x ?? 0);
    }
  };

  if (!split) {
    // functab right after the header, then end PC, then filetabOffset, then records, names, pctab, filetab
    const ftab = out.len;
    for (let i = 0; i < spec.funcs.length; i++) {
      out.u64(entries[i]!);
      out.u64(0);
    }
    out.u64(entries[spec.funcs.length]!);
    const filetabOffAt = out.len;
    out.u32(0);
    // layout: records first, then names, pctab, filetab; name/pctab offsets are base-relative so we
    // need their final positions before writing records: compute sizes in a first pass
    out.align(8);
    const recStart = out.len;
    const sizes = spec.funcs.map((f) => 40 + 4 * tabs[spec.funcs.indexOf(f)]!.pcdata.length + 8 + 8 * (f.funcdata ?? []).length);
    const recTotal = sizes.reduce((a, b) => a + b, 0);
    const nameBase = recStart + recTotal;
    const pctabBase = nameBase + names.len;
    for (let i = 0; i < spec.funcs.length; i++) {
      out.align(8);
      funcOffs.push(out.len);
      out.setU64(ftab + 16 * i + 8, out.len);
      writeFunc(i, nameBase, pctabBase);
    }
    while (out.len < nameBase) out.u8(0);
    out.bytes(names.b);
    out.bytes(pctab.b);
    out.align(4);
    const filetab = out.len;
    out.setU32(filetabOffAt, filetab);
    const fileStrBase = filetab + 4 * (spec.files.length + 1);
    out.u32(spec.files.length + 1);
    for (const o of fileOffs) out.u32(fileStrBase + o);
    out.bytes(files.b);
  } else {
    const words = v === '1.16' ? 6 : 7; // after nfunc
    const hdrWords = out.len;
    for (let k = 0; k < words; k++) out.u64(0);
    const word = (k: number, val: number): void => out.setU64(8 + k * P, val);
    word(1, spec.files.length);
    if (v !== '1.16') word(2, spec.textStart);
    const base = v === '1.16' ? 2 : 3;
    void hdrWords;
    word(base, out.len);
    out.bytes(names.b);
    out.align(4);
    word(base + 1, out.len);
    for (const o of fileOffs) out.u32(o); // cutab: one CU holding every file
    word(base + 2, out.len);
    out.bytes(files.b);
    word(base + 3, out.len);
    out.bytes(pctab.b);
    out.align(8);
    const pcln = out.len;
    word(base + 4, pcln);
    const fsz = off32 ? 4 : 8;
    const ftab = out.len;
    for (let i = 0; i <= spec.funcs.length; i++) {
      const e = off32 ? entries[i]! - spec.textStart : entries[i]!;
      if (off32) {
        out.u32(e);
        out.u32(0);
      } else {
        out.u64(e);
        out.u64(0);
      }
    }
    for (let i = 0; i < spec.funcs.length; i++) {
      out.align(off32 ? 4 : 8);
      funcOffs.push(out.len);
      if (off32) out.setU32(ftab + 8 * i + 4, out.len - pcln);
      else out.setU64(ftab + 2 * fsz * i + fsz, out.len - pcln);
      writeFunc(i, 0, 0);
    }
  }
  return { data: Uint8Array.from(out.b), funcOffs, entries };
}

/** Encode an inline tree as the runtime lays it out in memory. */
export function inlTree(
  version: PclnVersion,
  recs: { funcID?: number; nameOff: number; parentPc: number; startLine?: number; parent?: number }[],
): Uint8Array {
  const b = new Buf();
  for (const r of recs) {
    if (version === '1.20') {
      b.u8(r.funcID ?? 0);
      b.u8(0);
      b.u8(0);
      b.u8(0);
      b.u32(r.nameOff);
      b.u32(r.parentPc);
      b.u32(r.startLine ?? 0);
    } else {
      b.u8((r.parent ?? -1) & 0xff);
      b.u8(((r.parent ?? -1) >> 8) & 0xff);
      b.u8(r.funcID ?? 0);
      b.u8(0);
      b.u32(0); // file
      b.u32(0); // line
      b.u32(r.nameOff);
      b.u32(r.parentPc);
    }
  }
  return Uint8Array.from(b.b);
}

/** readMemory over a few blobs at fixed addresses. */
export function memory(blobs: [addr: number, bytes: Uint8Array][]): (addr: number, len: number) => Uint8Array | undefined {
  return (addr, len) => {
    for (const [a, b] of blobs) {
      if (addr >= a && addr + len <= a + b.length) return b.subarray(addr - a, addr - a + len);
    }
    return undefined;
  };
}
