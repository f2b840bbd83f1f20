/**
 * Offsets in `runtime.moduledata` (`src/runtime/symtab.go`) of the fields needed to find the
 * function table, per era of Go (64-bit). DWARF, when present, overrides these.
 */
import { rowFor } from './since.ts';

export interface ModuledataLayout {
  readonly since: number;
  /** pcHeader pointer (1.16+), else undefined. */
  readonly pcHeader: number | undefined;
  /** pclntable slice {ptr, len, cap}. */
  readonly pclntable: number;
  readonly text: number;
  readonly etext: number;
  /** gofunc (1.18+), the base of funcdata offsets. */
  readonly gofunc: number | undefined;
}

const ROWS: readonly ModuledataLayout[] = [
  { since: 12, pcHeader: undefined, pclntable: 0, text: 96, etext: 104, gofunc: undefined },
  { since: 16, pcHeader: 0, pclntable: 104, text: 176, etext: 184, gofunc: undefined },
  { since: 18, pcHeader: 0, pclntable: 104, text: 176, etext: 184, gofunc: 304 },
  { since: 20, pcHeader: 0, pclntable: 104, text: 176, etext: 184, gofunc: 320 },
  { since: 27, pcHeader: 0, pclntable: 104, text: 176, etext: 184, gofunc: 344 },
];

export function moduledataLayout(minor: number): ModuledataLayout {
  return rowFor(ROWS, minor);
}
