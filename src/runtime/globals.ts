/**
 * Runtime addresses of the runtime globals gospy reads (`src/runtime/proc.go`, `runtime2.go`,
 * `mfinal.go`, `mstats.go`, `runtime1.go`): from .symtab when present, else from DWARF variables.
 * Stripped binaries (neither) get addresses recovered from code (symbols/recover.ts), added with
 * `addRecovered` once the Go version and layouts are known.
 */
import type { DwarfIndex } from '../format/dwarf/index.ts';
import type { Target } from './target.ts';
import { runtimeData } from './layouts/runtime-data.ts';
import { tracebackRules } from './layouts/traceback-rules.ts';

export interface GlobalRef {
  readonly addr: number;
  /** Size in bytes when known (symbol size or DWARF type size). */
  readonly size: number | undefined;
}

/**
 * Every runtime global gospy looks up, once: `required` ones the model cannot be read without;
 * `effect` says what a stripped binary loses when an optional one stays unknown (the warning of
 * symbols/recover.ts). Which Go versions read a global is not repeated here: `inUse` asks the
 * table that decides it (layouts/runtime-data.ts for the finalizer flag, layouts/traceback-rules.ts
 * for labels).
 */
// prettier-ignore
export const GLOBALS = [
  { name: 'runtime.allgs', required: true },
  { name: 'runtime.allglen' },
  { name: 'runtime.allm', required: true },
  { name: 'runtime.firstmoduledata', required: true },
  { name: 'runtime.waitReasonStrings', effect: 'wait reasons come from the built-in table' },
  { name: 'runtime.sched', effect: 'wait minutes use another clock' },
  { name: 'runtime.memstats' },
  { name: 'runtime.fingRunning', effect: 'the finalizer goroutine is taken to be idle', inUse: (m: number): boolean => runtimeData(m).finalizerFlag.global === 'runtime.fingRunning' },
  { name: 'runtime.fingStatus', effect: 'the finalizer goroutine is taken to be idle', inUse: (m: number): boolean => runtimeData(m).finalizerFlag.global === 'runtime.fingStatus' },
  { name: 'runtime.debug', effect: 'goroutine labels are not printed in tracebacks', inUse: (m: number): boolean => tracebackRules(m).labels !== 'none' },
  { name: 'runtime.tlsg' },
  { name: 'runtime.tls_g' },
  { name: 'runtime.iscgo' },
  { name: 'runtime.buildVersion' },
  { name: 'runtime.work' },
] as const satisfies readonly GlobalSpec[];

interface GlobalSpec {
  readonly name: string;
  readonly required?: true;
  /** What is lost when this optional global cannot be found (only those worth a warning). */
  readonly effect?: string;
  /** Whether the runtime of Go 1.`minor` has and gospy reads this global (default: every version). */
  readonly inUse?: (minor: number) => boolean;
}

export type GlobalName = (typeof GLOBALS)[number]['name'];

/** The globals without which no goroutine can be read. */
export const REQUIRED_GLOBALS: readonly GlobalName[] = GLOBALS.filter((g) => 'required' in g).map((g) => g.name);

/** Optional globals whose absence in Go 1.`minor` is worth a warning, with what it costs. */
export function optionalGlobalsWithEffect(minor: number): readonly { readonly name: GlobalName; readonly effect: string }[] {
  const out: { name: GlobalName; effect: string }[] = [];
  for (const g of GLOBALS as readonly (GlobalSpec & { name: GlobalName })[]) {
    if (g.effect !== undefined && (g.inUse?.(minor) ?? true)) out.push({ name: g.name, effect: g.effect });
  }
  return out;
}

export type GlobalsSource = 'symtab' | 'DWARF' | 'recovered from code' | 'none';

export class Globals {
  private src: GlobalsSource;
  private readonly map = new Map<string, GlobalRef>();
  constructor(target: Target, dwarf: DwarfIndex | undefined) {
    let fromSym = 0;
    let fromDwarf = 0;
    for (const { name } of GLOBALS) {
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
