/**
 * Which runtime function's code names which global, per Go version (Intel SDM vol. 2, RIP-relative addressing; docs/support.md, stripped binaries). Each row
 * cites the Go source whose compiled code the recovery decodes; `recover.ts` applies the rule and
 * validates the pick against the core's memory. Versions without a row simply do not recover that
 * global (the model degrades and says so).
 */
import type { GlobalName } from '../globals.ts';

export type RecipeRule =
  /** A []*g slice header: X, X+8 and X+16 are all referenced (append on the slice). */
  | 'slice-of-g'
  /** A word, referenced next to allgs, that holds len(allgs). */
  | 'length-of-allgs'
  /** Head of the M list linked through m.alllink, whose procids match the core's threads. */
  | 'm-list'
  /** An address referenced at least twice (lock + unlock) = &global + fieldOffset. */
  | 'locked-field';

export interface Recipe {
  readonly global: GlobalName;
  readonly since: number;
  readonly until: number;
  readonly func: string;
  readonly rule: RecipeRule;
  /** For 'locked-field': offsets of the lock field to try (schedt.lock). */
  readonly fieldOffsets?: readonly number[];
  /** The Go source the function's code comes from. */
  readonly source: string;
}

// prettier-ignore
export const RECIPES: readonly Recipe[] = [
  { global: 'runtime.allgs', since: 12, until: 99, func: 'runtime.allgadd', rule: 'slice-of-g',
    source: 'src/runtime/proc.go allgadd: lock(&allglock); allgs = append(allgs, gp)' },
  { global: 'runtime.allglen', since: 12, until: 99, func: 'runtime.allgadd', rule: 'length-of-allgs',
    source: 'src/runtime/proc.go allgadd: allglen = uintptr(len(allgs)) (1.16+: atomic.Storeuintptr(&allglen, …))' },
  { global: 'runtime.allm', since: 12, until: 99, func: 'runtime.mcommoninit', rule: 'm-list',
    source: 'src/runtime/proc.go mcommoninit: mp.alllink = allm; atomicstorep(unsafe.Pointer(&allm), unsafe.Pointer(mp))' },
  // schedt starts goidgen, lastpoll, pollUntil (24 bytes), then `lock mutex`; 1.26 inserts
  // pollingNet before lock (runtime2.go at go1.24.4 vs go1.26.10). 1.25 sources were not read: try both.
  { global: 'runtime.sched', since: 12, until: 24, func: 'runtime.mcommoninit', rule: 'locked-field', fieldOffsets: [24],
    source: 'src/runtime/proc.go mcommoninit: lock(&sched.lock) … unlock(&sched.lock)' },
  { global: 'runtime.sched', since: 25, until: 25, func: 'runtime.mcommoninit', rule: 'locked-field', fieldOffsets: [24, 32],
    source: 'src/runtime/proc.go mcommoninit: lock(&sched.lock) … unlock(&sched.lock)' },
  { global: 'runtime.sched', since: 26, until: 99, func: 'runtime.mcommoninit', rule: 'locked-field', fieldOffsets: [32],
    source: 'src/runtime/proc.go mcommoninit: lock(&sched.lock) … unlock(&sched.lock)' },
];

export function recipesFor(minor: number): Recipe[] {
  return RECIPES.filter((r) => r.since <= minor && minor <= r.until);
}
