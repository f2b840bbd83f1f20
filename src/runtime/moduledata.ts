/**
 * Read `runtime.firstmoduledata` from the target and open its function table. Mirrors
 * `moduledata` and `findfunc` in `src/runtime/symtab.go`: text start and pclntab location are taken
 * from the relocated moduledata in memory, never from section headers (which lie for external
 * linking and are gone in stripped binaries).
 */
import { PclnTable } from '../format/gosym/index.ts';
import { fieldOffset, type DwarfIndex } from '../format/dwarf/index.ts';
import { NotGoError } from '../base/errors.ts';
import { moduledataLayout } from './layouts/moduledata.ts';
import type { Mem } from './mem.ts';
import type { Target } from './target.ts';

export interface Module {
  readonly text: number;
  readonly etext: number;
  readonly gofunc: number | undefined;
  readonly table: PclnTable;
}

export function openModule(target: Target, mem: Mem, mdAddr: number, minor: number, dwarf: DwarfIndex | undefined): Module {
  const row = moduledataLayout(minor);
  const off = (field: string, fallback: number | undefined): number | undefined =>
    (dwarf ? fieldOffset(dwarf, 'runtime.moduledata', field) : undefined) ?? fallback;
  const pclntableOff = off('pclntable', row.pclntable)!;
  const pcHeaderOff = off('pcHeader', row.pcHeader);
  const text = mem.ptr(mdAddr + off('text', row.text)!, 'moduledata.text');
  const etext = mem.ptr(mdAddr + off('etext', row.etext)!, 'moduledata.etext');
  const gofuncOff = off('gofunc', row.gofunc);
  const gofunc = gofuncOff === undefined ? undefined : mem.ptr(mdAddr + gofuncOff, 'moduledata.gofunc');
  const tabPtr = mem.ptr(mdAddr + pclntableOff, 'moduledata.pclntable');
  const tabLen = mem.u64(mdAddr + pclntableOff + 8, 'moduledata.pclntable');
  const start = pcHeaderOff === undefined ? tabPtr : mem.ptr(mdAddr + pcHeaderOff, 'moduledata.pcHeader');
  const end = tabPtr + tabLen;
  if (!(text > 0 && etext > text && start > 0 && end > start && end - start < 1 << 30)) {
    throw new NotGoError(`runtime.firstmoduledata at 0x${mdAddr.toString(16)} does not hold a valid Go module`, {
      hint: 'the core and executable may not belong together, or the core is damaged',
    });
  }
  const bytes = mem.raw.read(start, end - start, 'pclntab');
  // Before Go 1.18 the functab and funcdata hold absolute addresses, relocated at load time in a PIE.
  // The pclntab read from a core is normally the relocated copy (RELRO pages are dumped); if the core
  // left it out, the bytes are the executable's link-time values and need the load bias added.
  const parse = (linkBias: number): PclnTable =>
    PclnTable.parse(bytes, {
      textStart: text,
      linkBias,
      gofunc,
      goMinor: minor,
      readMemory: (a, n) => mem.raw.tryRead(a, n),
    });
  let table = parse(0);
  if (target.loadBias !== 0 && table.entries[0] !== text && table.entries[0]! + target.loadBias === text) {
    table = parse(target.loadBias);
  }
  return { text, etext, gofunc, table };
}
