/**
 * Public surface of the pclntab decoder (golang/go src/runtime/symtab.go, src/runtime/symtabinl.go,
 * src/internal/abi/symtab.go, src/debug/gosym/pclntab.go; Go 1.12 – 1.27).
 */
export { PclnTable, type PclnContext, type FileLine } from './table.ts';
export { Func } from './func.ts';
export type { InlineFrame } from './inline.ts';
export { pcvalue, pcvalueRuns, encodePcValue } from './pcvalue.ts';
export { go12magic, go116magic, go118magic, go120magic } from './header.ts';
export {
  FUNC_FLAG_TOPFRAME, FUNC_FLAG_SPWRITE, FUNC_FLAG_ASM, PCDATA_UnsafePoint, PCDATA_StackMapIndex,
  PCDATA_InlTreeIndex, PCDATA_ArgLiveIndex, FUNCDATA_ArgsPointerMaps, FUNCDATA_LocalsPointerMaps,
  FUNCDATA_StackObjects, FUNCDATA_InlTree, FUNCDATA_OpenCodedDeferInfo, FUNCDATA_ArgInfo,
  FUNCDATA_ArgLiveInfo, FUNCDATA_WrapInfo, type PclnVersion,
} from './eras.ts';
