/**
 * Runtime addresses of the runtime globals gospy reads (`src/runtime/proc.go`, `runtime2.go`,
 * `mfinal.go`, `mstats.go`, `runtime1.go`): from .symtab when present, else from DWARF variables.
 * Stripped binaries (neither) get addresses recovered from code (symbols/recover.ts), added with
 * `addRecovered` once the Go version and layouts are known.
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

export type GlobalsSource = 'symtab' | 'DWARF' | 'recovered from code' | 'none';

export class Globals {
  private src: GlobalsSource;
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
    this.src = fromSym > 0 ? 'symtab' : fromDwarf > 0 ? 'DWARF' : 'none';
  }
  /** Where the addresses came from (the first source that gave any). */
  get source(): GlobalsSource {
    return this.src;
  }
  /** Add recovered addresses for globals neither .symtab nor DWARF had. */
  addRecovered(found: ReadonlyMap<GlobalName, GlobalRef>): void {
    let added = 0;
    for (const [name, ref] of found) {
      if (this.map.has(name)) continue;
      this.map.set(name, ref);
      added++;
    }
    if (added > 0 && this.src === 'none') this.src = 'recovered from code';
  }
  find(name: GlobalName): GlobalRef | undefined {
    return this.map.get(name);
  }
}
