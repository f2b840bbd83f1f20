/**
 * One `_func` record. Mirrors golang/go src/runtime/runtime2.go / src/runtime/symtab.go `_func`
 * (go1.12–go1.19) and src/runtime/runtime2.go + src/internal/abi/symtab.go (go1.20–go1.27);
 * field offsets come from eras.ts `funcFieldOffsets`.
 */
import { i32 } from '../../base/bytes.ts';
import { FormatError } from '../../base/errors.ts';
import { need, rdU32, WHAT } from './header.ts';
import type { FuncFieldOffsets } from './eras.ts';

export interface FuncInit {
  index: number;
  entry: number;
  end: number;
  name: string;
  args: number;
  deferreturn: number;
  funcID: number;
  special: string | undefined;
  flag: number;
  startLine: number | undefined;
  off: number;
  pcsp: number;
  pcfile: number;
  pcln: number;
  npcdata: number;
  nfuncdata: number;
  cuOffset: number;
}

export class Func {
  /** Index in the functab. */
  readonly index: number;
  /** Runtime entry PC and the next function's entry. */
  readonly entry: number;
  readonly end: number;
  readonly name: string;
  /** Argument + result size (−0x80000000 = unknown). */
  readonly args: number;
  /** Offset from entry of the deferreturn call (0 = none). */
  readonly deferreturn: number;
  /** Raw funcID byte; `special` is its name for this Go version ('normal' → undefined). */
  readonly funcID: number;
  readonly special: string | undefined;
  /** FuncFlag (TopFrame 1, SPWrite 2, Asm 4); ≤1.16 TopFrame/SPWrite derived from the funcID. */
  readonly flag: number;
  /** Line of the func keyword (1.20+). */
  readonly startLine: number | undefined;
  /** Offset of the `_func` record in the table bytes. */
  readonly off: number;
  /** pctab offsets (0 = no table). */
  readonly pcsp: number;
  readonly pcfile: number;
  readonly pcln: number;
  readonly npcdata: number;
  readonly nfuncdata: number;
  /** First cutab slot (1.16+; 0xffffffff = none; 0 for ≤1.15). */
  readonly cuOffset: number;

  constructor(f: FuncInit) {
    this.index = f.index;
    this.entry = f.entry;
    this.end = f.end;
    this.name = f.name;
    this.args = f.args;
    this.deferreturn = f.deferreturn;
    this.funcID = f.funcID;
    this.special = f.special;
    this.flag = f.flag;
    this.startLine = f.startLine;
    this.off = f.off;
    this.pcsp = f.pcsp;
    this.pcfile = f.pcfile;
    this.pcln = f.pcln;
    this.npcdata = f.npcdata;
    this.nfuncdata = f.nfuncdata;
    this.cuOffset = f.cuOffset;
  }

  get size(): number {
    return this.end - this.entry;
  }
}

/** The raw fields of a `_func` record at `off`, bounds-checked (fixed part and trailing arrays). */
export interface RawFunc {
  nameOff: number;
  args: number;
  deferreturn: number;
  pcsp: number;
  pcfile: number;
  pcln: number;
  npcdata: number;
  cuOffset: number;
  startLine: number | undefined;
  funcID: number;
  flagByte: number;
  nfuncdata: number;
}

export function readRawFunc(data: Uint8Array, off: number, fo: FuncFieldOffsets, ptrSize: number, funcdataIsOffset: boolean): RawFunc {
  need(data, off, fo.size, '_func record');
  const npcdata = rdU32(data, off + fo.npcdata, 'npcdata');
  const nfuncdata = data[off + fo.nfuncdata]!;
  // trailing arrays: pcdata u32s, (≤1.17: 0–4 bytes padding) funcdata pointers or u32s
  const fdSize = funcdataIsOffset ? 4 : ptrSize;
  if (npcdata > (data.length - off - fo.size) / 4) throw new FormatError(WHAT, `npcdata ${npcdata} too large`, off + fo.npcdata);
  need(data, off + fo.size + 4 * npcdata, nfuncdata * fdSize, '_func funcdata array');
  return {
    nameOff: i32(data, off + fo.nameOff),
    args: i32(data, off + fo.args),
    deferreturn: rdU32(data, off + fo.deferreturn, 'deferreturn'),
    pcsp: rdU32(data, off + fo.pcsp, 'pcsp'),
    pcfile: rdU32(data, off + fo.pcfile, 'pcfile'),
    pcln: rdU32(data, off + fo.pcln, 'pcln'),
    npcdata,
    cuOffset: fo.cuOffset === undefined ? 0 : rdU32(data, off + fo.cuOffset, 'cuOffset'),
    startLine: fo.startLine === undefined ? undefined : i32(data, off + fo.startLine),
    funcID: data[off + fo.funcID]!,
    flagByte: data[off + fo.flag]!,
    nfuncdata,
  };
}
