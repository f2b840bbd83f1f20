/**
 * Offsets in `runtime.moduledata` (`src/runtime/symtab.go`) per era of Go (64-bit): the one home of
 * these facts, for reading the function table of a process (moduledata.ts; DWARF, when present,
 * overrides) and for finding and validating firstmoduledata in a stripped executable
 * (symbols/moduledata-scan.ts, symbols/recover.ts). Checked against the DWARF of the samples
 * (go1.15, go1.19, go1.21–go1.27).
 */
import { rowFor } from '../../base/since.ts';

export interface ModuledataLayout {
  readonly since: number;
  /** pcHeader pointer (1.16+), else undefined. */
  readonly pcHeader: number | undefined;
  /** funcnametab slice (1.16+: pcHeader + funcnameOffset). */
  readonly funcnametab: number | undefined;
  /** pclntable slice {ptr, len, cap}. */
  readonly pclntable: number;
  /** ftab slice {ptr, len = nfunc + 1, cap}. */
  readonly ftab: number;
  /** minpc, then maxpc. */
  readonly minpc: number;
  /** text, then etext. */
  readonly text: number;
  readonly etext: number;
  /** noptrdata, enoptrdata, data, edata, bss, ebss, noptrbss, enoptrbss: eight words from here. */
  readonly noptrdata: number;
  /** `end`, the last of the linker's section bounds before gcdata. */
  readonly end: number;
  /** types and the word after it (etypes; typedesclen from 1.27). */
  readonly types: number;
  readonly etypes: number;
  /** gofunc (1.18+), the base of funcdata offsets. */
  readonly gofunc: number | undefined;
}

// prettier-ignore
const ROWS: readonly ModuledataLayout[] = [
  { since: 12, pcHeader: undefined, funcnametab: undefined, pclntable: 0, ftab: 24, minpc: 80, text: 96, etext: 104, noptrdata: 112, end: 176, types: 200, etypes: 208, gofunc: undefined },
  { since: 16, pcHeader: 0, funcnametab: 8, pclntable: 104, ftab: 128, minpc: 160, text: 176, etext: 184, noptrdata: 192, end: 256, types: 280, etypes: 288, gofunc: undefined },
  { since: 18, pcHeader: 0, funcnametab: 8, pclntable: 104, ftab: 128, minpc: 160, text: 176, etext: 184, noptrdata: 192, end: 256, types: 280, etypes: 288, gofunc: 304 },
  { since: 20, pcHeader: 0, funcnametab: 8, pclntable: 104, ftab: 128, minpc: 160, text: 176, etext: 184, noptrdata: 192, end: 272, types: 296, etypes: 304, gofunc: 320 },
  { since: 27, pcHeader: 0, funcnametab: 8, pclntable: 104, ftab: 128, minpc: 160, text: 176, etext: 184, noptrdata: 192, end: 272, types: 296, etypes: 312, gofunc: 344 },
];

export function moduledataLayout(minor: number): ModuledataLayout {
  return rowFor(ROWS, minor);
}
