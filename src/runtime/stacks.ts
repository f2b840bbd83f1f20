/**
 * Interned stacks: thousands of goroutines parked in the same place have the same frame sequence,
 * which is decoded (inline expansion, names, file:line, visibility) and stored once. What differs
 * per goroutine — argument words and the stack's address — stays with the goroutine
 * (goroutine-record.ts). The key is the physical walk itself: pcs, symbolic pcs and frame extents
 * relative to the innermost sp, so two goroutines share a stack only when a traceback of either
 * would print the same frames.
 */
import type { CodeTable } from './code.ts';
import type { PhysicalFrame } from './unwind.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';
import { frameTemplates, type FrameTemplate } from './frames.ts';

export interface InternedStack {
  readonly frames: readonly FrameTemplate[];
  /** Why unwinding stopped early, if it did. */
  readonly unwindError: string | undefined;
}

export class StackTable {
  private readonly byKey = new Map<string, InternedStack>();
  private readonly code: CodeTable;
  private readonly rules: TracebackRules;
  private readonly warnings: WarningSink;
  /** The stack of a goroutine that was not unwound (running on another thread). */
  readonly empty: InternedStack = { frames: [], unwindError: undefined };

  constructor(code: CodeTable, rules: TracebackRules, warnings: WarningSink) {
    this.code = code;
    this.rules = rules;
    this.warnings = warnings;
  }

  get size(): number {
    return this.byKey.size;
  }

  intern(physical: readonly PhysicalFrame[], unwindError: string | undefined): InternedStack {
    if (physical.length === 0 && unwindError === undefined) return this.empty;
    const sp0 = physical[0]?.sp ?? 0;
    let key = unwindError ?? '';
    for (const pf of physical) key += `|${pf.pc},${pf.pc - pf.symPC},${pf.sp - sp0},${pf.fp - pf.sp},${pf.argp - pf.fp}`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { frames: frameTemplates(physical, this.code, this.rules, this.warnings), unwindError };
      this.byKey.set(key, s);
    }
    return s;
  }
}
