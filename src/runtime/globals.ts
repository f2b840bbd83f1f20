/**
 * Runtime addresses of the runtime globals gospy reads (`src/runtime/proc.go`, `runtime2.go`,
 * `mfinal.go`, `mstats.go`, `runtime1.go`): from .symtab when present, else from DWARF variables.
 * Stripped binaries (neither) need recovered addresses, which a later layer provides.
 */
import type { DwarfIndex } from '../format/dwarf/index.ts';
import type { Target } from './target.ts';

export interface GlobalRef {
  readonly addr: number;
  /** Size in bytes when known (symbol size or DWARF type size). */
  readonly size: number | undefined;
}

export const GLOBAL_NAMES = [
  'runtime.allgs',
  'runtime.allglen',
  'runtime.allm',
  'runtime.firstmoduledata',
  'runtime.waitReasonStrings',
  'runtime.sched',
  'runtime.memstats',
  'runtime.fingRunning',
  'runtime.fingStatus',
  'runtime.debug',
  'runtime.tlsg',
  'runtime.tls_g',
  'runtime.iscgo',
  'runtime.buildVersion',
  'runtime.work',
] as const;
export type GlobalName = (typeof GLOBAL_NAMES)[number];

export class Globals {
  readonly source: 'symtab' | 'DWARF' | 'none';
  private readonly map = new Map<string, GlobalRef>();
  constructor(target: Target, dwarf: DwarfIndex | undefined) {
    let fromSym = 0;
    let fromDwarf = 0;
    for (const name of GLOBAL_NAMES) {
      const sym = target.exe.symbol(name);
      if (sym) {
        this.map.set(name, { addr: sym.value + target.loadBias, size: sym.size || undefined });
        fromSym++;
        continue;
      }
      const v = dwarf?.variable(name);
      if (v?.address !== undefined) {
        this.map.set(name, { addr: v.address + target.loadBias, size: v.type?.size });
        fromDwarf++;
      }
    }
    this.source = fromSym > 0 ? 'symtab' : fromDwarf > 0 ? 'DWARF' : 'none';
  }
  find(name: GlobalName): GlobalRef | undefined {
    return this.map.get(name);
  }
}
