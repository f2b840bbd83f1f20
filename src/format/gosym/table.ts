/**
 * PclnTable: the runtime's function table (pclntab) for one module, all PCs as runtime addresses.
 * Mirrors golang/go src/runtime/symtab.go (`findfunc`, `funcInfo`, `pcvalue`, `funcline1`, `funcdata`),
 * src/runtime/symtabinl.go (inline unwinding), src/debug/gosym/pclntab.go (table versions) and
 * cmd/link/internal/ld/pcln.go (what the linker writes). Covers Go 1.12 – 1.27 on 32/64-bit little-endian.
 */
import { rowFor } from '../../base/since.ts';
import { FormatError } from '../../base/errors.ts';
import { parseHeader, WHAT, type PclnHeader } from './header.ts';
import { decodeFunctab, searchFunctab } from './functab.ts';
import { Func, readRawFunc } from './func.ts';
import { StringTable } from './strings.ts';
import { FileTable } from './files.ts';
import { pcvalue } from './pcvalue.ts';
import { MAX_INLINE_DEPTH, readInlinedCall, type InlineFrame } from './inline.ts';
import { ARGINFO_CAP, ARGINFO_END, funcdataAddr, readStream, type FuncdataContext } from './funcdata.ts';
import {
  DATA_INDICES, FLAG_SINCE_MINOR, FUNC_FLAG_SPWRITE, FUNC_FLAG_TOPFRAME, FUNCID_TABLES, LEGACY_SPWRITE,
  LEGACY_TOPFRAME, MAGIC_MINORS, MINOR_PROBES, funcFieldOffsets,
  type DataIndices, type FuncFieldOffsets, type FuncIDTable, type PclnVersion,
} from './eras.ts';

export interface PclnContext {
  /** Runtime address of moduledata.text (1.18+: PC = textStart + entryoff). */
  textStart: number;
  /** Runtime − link-time address (PIE load bias); applied to ≤1.17 functab entries and funcdata pointers. */
  linkBias: number;
  /** Runtime address of moduledata.gofunc (1.18+ funcdata base). */
  gofunc?: number;
  /** Go minor (12..27) when known; otherwise probed from the table's structure. */
  goMinor?: number;
  /** Runtime-address reads for funcdata (inline trees, arginfo). */
  readMemory(addr: number, len: number): Uint8Array | undefined;
}

export interface FileLine {
  /** '?' when unknown (as the runtime prints it). */
  file: string;
  /** 0 when unknown. */
  line: number;
}

export class PclnTable {
  readonly version: PclnVersion;
  readonly quantum: number;
  readonly ptrSize: number;
  readonly nfunc: number;
  readonly header: PclnHeader;
  /** Runtime entry PCs, entries[nfunc] = end of the last function. */
  readonly entries: Float64Array;
  /** Where goMinor came from: the caller, or structural probing (see eras.ts MINOR_PROBES). */
  minorSource: 'given' | 'probed' | undefined;

  private readonly data: Uint8Array;
  private readonly ctx: PclnContext;
  private readonly funcOffs: Float64Array;
  private readonly fo: FuncFieldOffsets;
  private readonly names: StringTable;
  private readonly files: FileTable;
  private readonly funcs: (Func | undefined)[];
  private readonly fdc: FuncdataContext;
  private byName: Map<string, number[]> | undefined;
  private minor: number | undefined;
  private idTable: FuncIDTable | undefined;
  private indices: DataIndices | undefined;

  private constructor(data: Uint8Array, ctx: PclnContext) {
    this.data = data;
    this.ctx = ctx;
    const h = parseHeader(data);
    this.header = h;
    this.version = h.era.version;
    this.quantum = h.quantum;
    this.ptrSize = h.ptrSize;
    this.nfunc = h.nfunc;
    const ft = decodeFunctab(data, h, ctx.textStart, ctx.linkBias);
    this.entries = ft.entries;
    this.funcOffs = ft.funcOffs;
    this.fo = funcFieldOffsets(h.era, h.ptrSize);
    this.names = new StringTable(data, h.funcnametab, 'function name');
    this.files = new FileTable(data, h);
    this.funcs = new Array<Func | undefined>(h.nfunc);
    this.fdc = {
      data, ptrSize: h.ptrSize, funcdataIsOffset: h.era.funcdataIsOffset, fo: this.fo,
      linkBias: ctx.linkBias, gofunc: ctx.gofunc,
    };
    const [lo, hi] = MAGIC_MINORS[h.era.version];
    if (ctx.goMinor !== undefined && ctx.goMinor >= lo && ctx.goMinor <= hi) {
      this.minor = ctx.goMinor;
      this.minorSource = 'given';
    }
  }

  /** Parse the pclntab starting at its pcHeader (≤1.15: the whole blob). Throws FormatError on corrupt input. */
  static parse(data: Uint8Array, ctx: PclnContext): PclnTable {
    return new PclnTable(data, ctx);
  }

  /** The Go minor whose funcID numbering and FUNCDATA indices are in use. */
  get goMinor(): number {
    if (this.minor === undefined) {
      this.minor = this.probeMinor();
      this.minorSource = 'probed';
    }
    return this.minor;
  }

  private probeMinor(): number {
    for (const p of MINOR_PROBES) {
      if (p.version !== this.version) continue;
      if (p.hasFunc !== undefined && !this.nameMap().has(p.hasFunc)) continue;
      if (p.goexitFuncID !== undefined) {
        const ix = this.nameMap().get('runtime.goexit');
        if (!ix || ix.length === 0) continue;
        const raw = readRawFunc(this.data, this.funcOffs[ix[0]!]!, this.fo, this.ptrSize, this.fdc.funcdataIsOffset);
        if (raw.funcID !== p.goexitFuncID) continue;
      }
      return p.minor;
    }
    return MAGIC_MINORS[this.version][0];
  }

  private funcIDTable(): FuncIDTable {
    return (this.idTable ??= rowFor(FUNCID_TABLES, this.goMinor));
  }

  private dataIndices(): DataIndices {
    return (this.indices ??= rowFor(DATA_INDICES, this.goMinor));
  }

  /** Normalized name of a funcID for this Go version ('normal' and unknown ids → undefined). */
  specialName(funcID: number): string | undefined {
    if (funcID === 0) return undefined;
    return this.funcIDTable().names[funcID];
  }

  /** PCDATA index of the ArgLiveIndex table (1.18+), undefined before. */
  get pcdataArgLiveIndex(): number | undefined {
    return this.dataIndices().pcdataArgLiveIndex;
  }

  /** The function at functab index i (0 ≤ i < nfunc). */
  funcAt(i: number): Func {
    if (!(i >= 0 && i < this.nfunc)) throw new RangeErrorLike(i, this.nfunc);
    let f = this.funcs[i];
    if (f) return f;
    const off = this.funcOffs[i]!;
    const raw = readRawFunc(this.data, off, this.fo, this.ptrSize, this.fdc.funcdataIsOffset);
    const special = this.specialName(raw.funcID);
    let flag: number;
    if (this.goMinor >= FLAG_SINCE_MINOR) flag = raw.flagByte;
    else {
      flag = 0;
      if (special !== undefined && LEGACY_TOPFRAME.has(special)) flag |= FUNC_FLAG_TOPFRAME;
      if (special !== undefined && LEGACY_SPWRITE.has(special)) flag |= FUNC_FLAG_SPWRITE;
    }
    f = new Func({
      index: i,
      entry: this.entries[i]!,
      end: this.entries[i + 1]!,
      name: this.names.at(raw.nameOff),
      args: raw.args,
      deferreturn: raw.deferreturn,
      funcID: raw.funcID,
      special,
      flag,
      startLine: raw.startLine,
      off,
      pcsp: raw.pcsp,
      pcfile: raw.pcfile,
      pcln: raw.pcln,
      npcdata: raw.npcdata,
      nfuncdata: raw.nfuncdata,
      cuOffset: raw.cuOffset,
    });
    this.funcs[i] = f;
    return f;
  }

  /** The function containing runtime pc, or undefined when pc is outside [first entry, end). */
  findFunc(pc: number): Func | undefined {
    const i = searchFunctab(this.entries, this.nfunc, pc);
    return i < 0 ? undefined : this.funcAt(i);
  }

  private nameMap(): Map<string, number[]> {
    if (this.byName) return this.byName;
    const m = new Map<string, number[]>();
    for (let i = 0; i < this.nfunc; i++) {
      const off = this.funcOffs[i]!;
      const raw = readRawFunc(this.data, off, this.fo, this.ptrSize, this.fdc.funcdataIsOffset);
      const name = this.names.at(raw.nameOff);
      const l = m.get(name);
      if (l) l.push(i);
      else m.set(name, [i]);
    }
    this.byName = m;
    return m;
  }

  /**
   * The function with this exact pclntab name. Since 1.17 an ABI wrapper can share the name of the
   * function it wraps; the non-wrapper one is returned (see funcsByName for all).
   */
  funcByName(name: string): Func | undefined {
    const ix = this.nameMap().get(name);
    if (!ix) return undefined;
    let first: Func | undefined;
    for (const i of ix) {
      const f = this.funcAt(i);
      if (f.special !== 'wrapper') return f;
      first ??= f;
    }
    return first;
  }

  funcsByName(name: string): Func[] {
    return (this.nameMap().get(name) ?? []).map((i) => this.funcAt(i));
  }

  /** All functions in functab order (decodes every record). */
  *allFuncs(): IterableIterator<Func> {
    for (let i = 0; i < this.nfunc; i++) yield this.funcAt(i);
  }

  private pctabValue(off: number, f: Func, pc: number): number {
    return pcvalue(this.data, this.header.pctab + off, f.entry, pc, this.quantum);
  }

  /** SP delta at pc (bytes pushed since entry, before the instruction at pc); −1 when the function has no table. */
  pcsp(f: Func, pc: number): number {
    if (f.pcsp === 0) return -1;
    return this.pctabValue(f.pcsp, f, pc);
  }

  /** Value of PCDATA table `index` at pc; −1 when absent. */
  pcdata(f: Func, index: number, pc: number): number {
    if (!(index >= 0 && index < f.npcdata)) return -1;
    const slot = f.off + this.fo.size + 4 * index;
    const off = (this.data[slot]! | (this.data[slot + 1]! << 8) | (this.data[slot + 2]! << 16)) + this.data[slot + 3]! * 0x1000000;
    if (off === 0) return -1;
    return this.pctabValue(off, f, pc);
  }

  /** PCDATA_ArgLiveIndex at pc (1.18+); −1 when absent or before 1.18. */
  argLiveIndex(f: Func, pc: number): number {
    const ix = this.dataIndices().pcdataArgLiveIndex;
    return ix === undefined ? -1 : this.pcdata(f, ix, pc);
  }

  /** File and line of pc in f (the runtime's funcline1): '?'/0 when unknown. */
  fileLine(f: Func, pc: number): FileLine {
    if (f.pcfile === 0 || f.pcln === 0) return { file: '?', line: 0 };
    const fileno = this.pctabValue(f.pcfile, f, pc);
    const line = this.pctabValue(f.pcln, f, pc);
    const file = this.files.name(fileno, f.cuOffset);
    if (file === undefined) return { file: '?', line: 0 };
    return { file, line };
  }

  /** Runtime address of FUNCDATA `index` of f, or undefined when absent. */
  funcdata(f: Func, index: number): number | undefined {
    return funcdataAddr(this.fdc, f, index);
  }

  /**
   * Logical frames at pc (already pc−1-adjusted for return addresses), innermost first; the last one is
   * the physical function (inlined=false). File:line always comes from f's own pcfile/pcln at the
   * current pc of the walk (runtime/symtab.go funcInfo/pcvalue, runtime/traceback.go).
   */
  inlineFrames(f: Func, pc: number): InlineFrame[] {
    const out: InlineFrame[] = [];
    const di = this.dataIndices();
    const tree = this.funcdata(f, di.funcdataInlTree);
    let cur = pc;
    if (tree !== undefined) {
      const layout = this.header.era.inlinedCall;
      for (let depth = 0; ; depth++) {
        if (depth >= MAX_INLINE_DEPTH) throw new FormatError(WHAT, `inline tree of ${f.name} deeper than ${MAX_INLINE_DEPTH} (cycle?)`, f.off);
        const idx = this.pcdata(f, di.pcdataInlTreeIndex, cur);
        if (idx < 0) break;
        const call = readInlinedCall(this.ctx.readMemory, tree, idx, layout, f.name);
        const fl = this.fileLine(f, cur);
        out.push({
          name: this.names.at(call.nameOff), file: fl.file, line: fl.line, funcID: call.funcID,
          special: this.specialName(call.funcID), inlined: true, pc: cur,
        });
        if (!(call.parentPc >= 0 && call.parentPc < f.end - f.entry)) {
          throw new FormatError(WHAT, `inline parentPc 0x${call.parentPc.toString(16)} outside ${f.name}`, f.off);
        }
        cur = f.entry + call.parentPc;
      }
    }
    const fl = this.fileLine(f, cur);
    out.push({ name: f.name, file: fl.file, line: fl.line, funcID: f.funcID, special: f.special, inlined: false, pc: cur });
    return out;
  }

  /** Raw FUNCDATA_ArgInfo bytes (1.17+), through the terminating 0xff; undefined when absent. */
  argInfo(f: Func): Uint8Array | undefined {
    const ix = this.dataIndices().funcdataArgInfo;
    if (ix === undefined) return undefined;
    const addr = this.funcdata(f, ix);
    if (addr === undefined) return undefined;
    return readStream(this.ctx.readMemory, addr, ARGINFO_CAP, (b) => b === ARGINFO_END);
  }

  /**
   * Raw FUNCDATA_ArgLiveInfo bytes (1.18+): byte 0 is the first spill-slot offset, then liveness bitmaps
   * indexed by PCDATA_ArgLiveIndex. The stream has no terminator; up to `cap` readable bytes are returned.
   */
  argLiveInfo(f: Func, cap = 256): Uint8Array | undefined {
    const ix = this.dataIndices().funcdataArgLiveInfo;
    if (ix === undefined) return undefined;
    const addr = this.funcdata(f, ix);
    if (addr === undefined) return undefined;
    return readStream(this.ctx.readMemory, addr, cap, undefined);
  }
}

/** funcAt with a bad index is a caller bug, reported as a FormatError-shaped message for consistency. */
class RangeErrorLike extends FormatError {
  constructor(i: number, n: number) {
    super(WHAT, `function index ${i} outside [0, ${n})`);
  }
}
