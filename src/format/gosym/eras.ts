/**
 * Every per-Go-version fact the pclntab decoder needs, as data (house rule H4).
 *
 * Mirrors: golang/go src/debug/gosym/pclntab.go (magics, header words), src/runtime/symtab.go
 * (`_func`, `inlinedCall`, funcID constants, go1.12–go1.20), src/internal/abi/symtab.go (go1.21–go1.27),
 * src/runtime/funcdata.h (PCDATA/FUNCDATA indices), cmd/internal/objabi/funcid.go (funcID numbering),
 * cmd/link/internal/ld/pcln.go (layout the linker writes).
 * Covers Go 1.12 – 1.27 (pclntab magics 0xfffffffb, 0xfffffffa, 0xfffffff0, 0xfffffff1).
 *
 * Numeric version comparisons are allowed only here and in header.ts.
 */

export type PclnVersion = '1.2' | '1.16' | '1.18' | '1.20';

/** Layout facts selected by the pclntab magic. Offsets are for the `_func` record; `P` = ptrSize. */
export interface EraLayout {
  readonly version: PclnVersion;
  readonly magic: number;
  /** Size of one functab field: P (entry/funcoff pointers) before 1.18, 4 (u32 offsets) after. */
  readonly functabField: 'ptr' | 'u32';
  /** Functab entries are absolute link-time PCs (≤1.17) or offsets from textStart (1.18+). */
  readonly entryIsOffset: boolean;
  /** Width of `_func.entry`: pointer (≤1.17) or u32 entryOff (1.18+). */
  readonly funcEntryField: 'ptr' | 'u32';
  /** Whether `_func` has cuOffset (1.16+) and startLine (1.20+). */
  readonly hasCuOffset: boolean;
  readonly hasStartLine: boolean;
  /** Funcdata entries: absolute pointers (≤1.17) or u32 offsets from moduledata.gofunc (1.18+). */
  readonly funcdataIsOffset: boolean;
  /** Size of one inlinedCall record and where its fields are. */
  readonly inlinedCall: InlinedCallLayout;
  /** Names (function and inline) are relative to the blob base (≤1.15) or funcnametab (1.16+). */
  readonly splitTables: boolean;
}

export interface InlinedCallLayout {
  readonly size: number;
  readonly funcID: number;
  readonly nameOff: number;
  readonly parentPc: number;
  /** startLine of the inlined function (1.20+), undefined before. */
  readonly startLine: number | undefined;
}

const INL_OLD: InlinedCallLayout = { size: 20, funcID: 2, nameOff: 12, parentPc: 16, startLine: undefined };
const INL_120: InlinedCallLayout = { size: 16, funcID: 0, nameOff: 4, parentPc: 8, startLine: 12 };

/** Magic → era. Each magic was chosen so that the wrong byte order never matches. */
export const ERAS: readonly EraLayout[] = [
  {
    version: '1.2', magic: 0xfffffffb, functabField: 'ptr', entryIsOffset: false, funcEntryField: 'ptr',
    hasCuOffset: false, hasStartLine: false, funcdataIsOffset: false, inlinedCall: INL_OLD, splitTables: false,
  },
  {
    version: '1.16', magic: 0xfffffffa, functabField: 'ptr', entryIsOffset: false, funcEntryField: 'ptr',
    hasCuOffset: true, hasStartLine: false, funcdataIsOffset: false, inlinedCall: INL_OLD, splitTables: true,
  },
  {
    version: '1.18', magic: 0xfffffff0, functabField: 'u32', entryIsOffset: true, funcEntryField: 'u32',
    hasCuOffset: true, hasStartLine: false, funcdataIsOffset: true, inlinedCall: INL_OLD, splitTables: true,
  },
  {
    version: '1.20', magic: 0xfffffff1, functabField: 'u32', entryIsOffset: true, funcEntryField: 'u32',
    hasCuOffset: true, hasStartLine: true, funcdataIsOffset: true, inlinedCall: INL_120, splitTables: true,
  },
];

/**
 * Header words (index k lives at byte 8 + k·P) per era; `undefined` = not present.
 * 1.2–1.15 has only nfunc; the functab starts at word 1.
 */
export interface HeaderWords {
  readonly nfunc: number;
  readonly nfiles: number | undefined;
  readonly textStart: number | undefined;
  readonly funcnameOffset: number | undefined;
  readonly cuOffset: number | undefined;
  readonly filetabOffset: number | undefined;
  readonly pctabOffset: number | undefined;
  readonly pclnOffset: number | undefined;
}

export const HEADER_WORDS: Readonly<Record<PclnVersion, HeaderWords>> = {
  '1.2': {
    nfunc: 0, nfiles: undefined, textStart: undefined, funcnameOffset: undefined, cuOffset: undefined,
    filetabOffset: undefined, pctabOffset: undefined, pclnOffset: undefined,
  },
  '1.16': { nfunc: 0, nfiles: 1, textStart: undefined, funcnameOffset: 2, cuOffset: 3, filetabOffset: 4, pctabOffset: 5, pclnOffset: 6 },
  '1.18': { nfunc: 0, nfiles: 1, textStart: 2, funcnameOffset: 3, cuOffset: 4, filetabOffset: 5, pctabOffset: 6, pclnOffset: 7 },
  '1.20': { nfunc: 0, nfiles: 1, textStart: 2, funcnameOffset: 3, cuOffset: 4, filetabOffset: 5, pctabOffset: 6, pclnOffset: 7 },
};

/**
 * `_func` field offsets for P = 8 and P = 4. Field n ≥ 1 sits at sz0 + 4(n−1) (debug/gosym's rule),
 * sz0 = P before 1.18 and 4 after; funcID/flag/nfuncdata are the bytes at the end of the fixed part.
 */
export interface FuncFieldOffsets {
  readonly nameOff: number;
  readonly args: number;
  readonly deferreturn: number;
  readonly pcsp: number;
  readonly pcfile: number;
  readonly pcln: number;
  readonly npcdata: number;
  readonly cuOffset: number | undefined;
  readonly startLine: number | undefined;
  readonly funcID: number;
  readonly flag: number;
  readonly nfuncdata: number;
  /** Fixed size; pcdata[npcdata] u32 follow, then funcdata. */
  readonly size: number;
}

export function funcFieldOffsets(era: EraLayout, ptrSize: number): FuncFieldOffsets {
  const sz0 = era.funcEntryField === 'ptr' ? ptrSize : 4;
  const field = (n: number): number => sz0 + 4 * (n - 1);
  let next = 8; // fields 1..7 are nameOff..npcdata
  const cuOffset = era.hasCuOffset ? field(next++) : undefined;
  const startLine = era.hasStartLine ? field(next++) : undefined;
  const tail = field(next); // funcID, flag, pad, nfuncdata
  return {
    nameOff: field(1), args: field(2), deferreturn: field(3), pcsp: field(4), pcfile: field(5), pcln: field(6),
    npcdata: field(7), cuOffset, startLine, funcID: tail, flag: tail + 1, nfuncdata: tail + 3, size: tail + 4,
  };
}

/** PCDATA / FUNCDATA indices, selected by Go minor (`since` = first minor they apply to). */
export interface DataIndices {
  readonly since: number;
  readonly pcdataInlTreeIndex: number;
  readonly pcdataArgLiveIndex: number | undefined;
  readonly funcdataInlTree: number;
  readonly funcdataArgInfo: number | undefined;
  readonly funcdataArgLiveInfo: number | undefined;
}

export const DATA_INDICES: readonly DataIndices[] = [
  { since: 12, pcdataInlTreeIndex: 1, pcdataArgLiveIndex: undefined, funcdataInlTree: 2, funcdataArgInfo: undefined, funcdataArgLiveInfo: undefined },
  { since: 13, pcdataInlTreeIndex: 2, pcdataArgLiveIndex: undefined, funcdataInlTree: 4, funcdataArgInfo: undefined, funcdataArgLiveInfo: undefined },
  { since: 16, pcdataInlTreeIndex: 2, pcdataArgLiveIndex: undefined, funcdataInlTree: 3, funcdataArgInfo: undefined, funcdataArgLiveInfo: undefined },
  { since: 17, pcdataInlTreeIndex: 2, pcdataArgLiveIndex: undefined, funcdataInlTree: 3, funcdataArgInfo: 5, funcdataArgLiveInfo: undefined },
  { since: 18, pcdataInlTreeIndex: 2, pcdataArgLiveIndex: 3, funcdataInlTree: 3, funcdataArgInfo: 5, funcdataArgLiveInfo: 6 },
];

/** FuncFlag bits (1.17+; Asm 1.18+). */
export const FUNC_FLAG_TOPFRAME = 1;
export const FUNC_FLAG_SPWRITE = 2;
export const FUNC_FLAG_ASM = 4;
/** First minor whose `_func` carries a real flag byte (padding before). */
export const FLAG_SINCE_MINOR = 17;

/**
 * Before 1.17 there was no flag byte; the runtime decided "top of stack" by funcID
 * (`topofstack` in src/runtime/traceback.go ≤1.16: goexit, mstart, mcall, morestack, rt0_go,
 * externalthreadhandler; asmcgocall only on g0, which a static flag cannot express) and switched
 * stacks at systemstack/morestack/mcall, which 1.17+ marks SPWrite.
 */
export const LEGACY_TOPFRAME: ReadonlySet<string> = new Set(['goexit', 'mstart', 'mcall', 'morestack', 'rt0_go', 'externalthreadhandler']);
export const LEGACY_SPWRITE: ReadonlySet<string> = new Set(['mcall', 'morestack', 'systemstack']);

/** FuncID numbering per Go minor; the index in `names` is the raw funcID. 'normal' (0) maps to undefined. */
export interface FuncIDTable {
  readonly since: number;
  readonly names: readonly string[];
}

export const FUNCID_TABLES: readonly FuncIDTable[] = [
  {
    since: 12,
    names: ['normal', 'runtime_main', 'goexit', 'jmpdefer', 'mcall', 'morestack', 'mstart', 'rt0_go', 'asmcgocall',
      'sigpanic', 'runfinq', 'gcBgMarkWorker', 'systemstack_switch', 'systemstack', 'cgocallback_gofunc', 'gogo',
      'externalthreadhandler', 'debugCallV1', 'gopanic', 'panicwrap', 'wrapper'],
  },
  {
    since: 14,
    names: ['normal', 'runtime_main', 'goexit', 'jmpdefer', 'mcall', 'morestack', 'mstart', 'rt0_go', 'asmcgocall',
      'sigpanic', 'runfinq', 'gcBgMarkWorker', 'systemstack_switch', 'systemstack', 'cgocallback_gofunc', 'gogo',
      'externalthreadhandler', 'debugCallV1', 'gopanic', 'panicwrap', 'handleAsyncEvent', 'asyncPreempt', 'wrapper'],
  },
  {
    since: 16,
    names: ['normal', 'runtime_main', 'goexit', 'jmpdefer', 'mcall', 'morestack', 'mstart', 'rt0_go', 'asmcgocall',
      'sigpanic', 'runfinq', 'gcBgMarkWorker', 'systemstack_switch', 'systemstack', 'cgocallback', 'gogo',
      'externalthreadhandler', 'debugCallV1', 'gopanic', 'panicwrap', 'handleAsyncEvent', 'asyncPreempt', 'wrapper'],
  },
  {
    since: 17,
    names: ['normal', 'abort', 'asmcgocall', 'asyncPreempt', 'cgocallback', 'debugCallV2', 'gcBgMarkWorker', 'goexit',
      'gogo', 'gopanic', 'handleAsyncEvent', 'jmpdefer', 'mcall', 'morestack', 'mstart', 'panicwrap', 'rt0_go',
      'runfinq', 'runtime_main', 'sigpanic', 'systemstack', 'systemstack_switch', 'wrapper'],
  },
  {
    since: 18,
    names: ['normal', 'abort', 'asmcgocall', 'asyncPreempt', 'cgocallback', 'debugCallV2', 'gcBgMarkWorker', 'goexit',
      'gogo', 'gopanic', 'handleAsyncEvent', 'mcall', 'morestack', 'mstart', 'panicwrap', 'rt0_go', 'runfinq',
      'runtime_main', 'sigpanic', 'systemstack', 'systemstack_switch', 'wrapper'],
  },
  {
    since: 22,
    names: ['normal', 'abort', 'asmcgocall', 'asyncPreempt', 'cgocallback', 'corostart', 'debugCallV2', 'gcBgMarkWorker',
      'goexit', 'gogo', 'gopanic', 'handleAsyncEvent', 'mcall', 'morestack', 'mstart', 'panicwrap', 'rt0_go', 'runfinq',
      'runtime_main', 'sigpanic', 'systemstack', 'systemstack_switch', 'wrapper'],
  },
  {
    since: 25,
    names: ['normal', 'abort', 'asmcgocall', 'asyncPreempt', 'cgocallback', 'corostart', 'debugCallV2', 'gcBgMarkWorker',
      'goexit', 'gogo', 'gopanic', 'handleAsyncEvent', 'mcall', 'morestack', 'mstart', 'panicwrap', 'rt0_go',
      'runtime_main', 'runFinalizers', 'runCleanups', 'sigpanic', 'systemstack', 'systemstack_switch', 'wrapper'],
  },
];

/** The minor range each magic can stand for (used to clamp a caller-supplied goMinor and for probing). */
export const MAGIC_MINORS: Readonly<Record<PclnVersion, readonly [number, number]>> = {
  '1.2': [12, 15],
  '1.16': [16, 17],
  '1.18': [18, 19],
  '1.20': [20, 99],
};

/**
 * Structural probes used when the caller does not know the Go minor: which function must exist, or which
 * funcID `runtime.goexit` carries, to tell the minors sharing one magic apart. Checked in order; the first
 * probe that matches gives the minor. The last entry for each era is the default.
 */
export interface MinorProbe {
  readonly version: PclnVersion;
  readonly minor: number;
  readonly goexitFuncID?: number;
  readonly hasFunc?: string;
}

export const MINOR_PROBES: readonly MinorProbe[] = [
  { version: '1.2', minor: 14, hasFunc: 'runtime.asyncPreempt' },
  { version: '1.2', minor: 13 }, // 1.12 cannot be told from 1.13 by structure; 1.13's indices are the default
  { version: '1.16', minor: 17, goexitFuncID: 7 },
  { version: '1.16', minor: 16 },
  { version: '1.18', minor: 18 },
  { version: '1.20', minor: 25, hasFunc: 'runtime.runFinalizers' },
  { version: '1.20', minor: 22, goexitFuncID: 8 },
  { version: '1.20', minor: 20 },
];

/** FUNCDATA / PCDATA index constants exported for callers (1.16+ numbering). */
export const PCDATA_UnsafePoint = 0;
export const PCDATA_StackMapIndex = 1;
export const PCDATA_InlTreeIndex = 2;
export const PCDATA_ArgLiveIndex = 3;
export const FUNCDATA_ArgsPointerMaps = 0;
export const FUNCDATA_LocalsPointerMaps = 1;
export const FUNCDATA_StackObjects = 2;
export const FUNCDATA_InlTree = 3;
export const FUNCDATA_OpenCodedDeferInfo = 4;
export const FUNCDATA_ArgInfo = 5;
export const FUNCDATA_ArgLiveInfo = 6;
export const FUNCDATA_WrapInfo = 7;
