/**
 * Physical frames → the logical frames a traceback prints: inline expansion, the level-1 visibility
 * rules (`showfuncinfo`, `elideWrapperCalling`, `isExportedRuntime` in `src/runtime/traceback.go`),
 * printed names and arguments.
 *
 * Split in two because thousands of goroutines park in the same places: `frameTemplates` is a
 * function of the pcs alone (shared by every goroutine with the same stack, see stacks.ts), and
 * `frameArgs` reads the argument words of one goroutine.
 */
import { FormatError, UnmappedAddressError } from '../base/errors.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { CodeTable } from './code.ts';
import type { Frame } from './model.ts';
import type { PhysicalFrame } from './unwind.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';
import { formatArgs, type ArgMemory } from './args.ts';
import { isExportedRuntime, printedFuncName } from './func-names.ts';

const PANIC_CALLEES = new Set(['gopanic', 'sigpanic', 'panicwrap']);

/**
 * A logical frame without what differs between goroutines (argument words, stack addresses): sp and
 * fp of the physical frame are kept relative to the innermost frame's sp.
 */
export type FrameTemplate = Omit<Frame, 'args' | 'sp' | 'fp'> & { readonly spOff: number; readonly fpOff: number };

/** Interned printed names: the same function name string for every frame that shows it. */
const printedNames = new Map<string, string>();
function printedName(name: string, style: TracebackRules['genericNames']): string {
  const key = `${style}\u0000${name}`;
  let v = printedNames.get(key);
  if (v === undefined) printedNames.set(key, (v = printedFuncName(name, style)));
  return v;
}

export function frameTemplates(
  physical: readonly PhysicalFrame[],
  code: CodeTable,
  rules: TracebackRules,
  warnings: WarningSink,
): FrameTemplate[] {
  const out: FrameTemplate[] = [];
  let callee: string | undefined;
  let shown = 0;
  const sp0 = physical[0]?.sp ?? 0;
  physical.forEach((pf, index) => {
    let inl;
    try {
      inl = code.inlineFrames(pf.fn, pf.symPC);
    } catch (e) {
      // An inline tree that does not decode (or lies in memory the input lacks): the physical frame
      // alone is still right, so show it and say what is missing.
      if (!(e instanceof FormatError || e instanceof UnmappedAddressError)) throw e;
      warnings.add('inline-tree-unreadable', `inlined calls of ${pf.fn.name} are not shown: ${e.message}`);
      const fl = code.fileLine(pf.fn, pf.symPC);
      inl = [{ name: pf.fn.name, file: fl.file, line: fl.line, special: pf.fn.special, inlined: false, pc: pf.symPC }];
    }
    for (const lf of inl) {
      const visibilityName = rules.inlineVisibilityByOuter ? pf.fn.name : lf.name;
      const visible = showFrame(visibilityName, lf.special, shown === 0, callee, rules);
      callee = lf.special;
      if (visible) shown++;
      out.push({
        function: printedName(lf.name, rules.genericNames),
        file: lf.file,
        line: lf.line,
        pc: lf.inlined ? pf.symPC : pf.pc,
        entry: pf.fn.entry,
        inlined: lf.inlined,
        visible,
        physical: index,
        spOff: pf.sp - sp0,
        fpOff: pf.fp - sp0,
      });
    }
  });
  return out;
}

/**
 * Argument text of every non-inlined logical frame of one goroutine, in frame order (inlined
 * frames print `...` and take no entry). `physical` is the same walk `frameTemplates` expanded.
 */
export function frameArgs(physical: readonly PhysicalFrame[], code: CodeTable, mem: ArgMemory, rules: TracebackRules): string[] {
  const out: string[] = [];
  for (const pf of physical) {
    let argPC = pf.symPC;
    if (rules.argLiveAtInlineParent) {
      // ≤1.20 looked up argument liveness at the pc the inline walk ended on (gentraceback reused
      // its tracepc); 1.21+ at the frame's own symbolic pc.
      try {
        const inl = code.inlineFrames(pf.fn, pf.symPC);
        argPC = inl[inl.length - 1]?.pc ?? pf.symPC;
      } catch (e) {
        // frameTemplates warned about this inline tree already; the frame's own pc is still right.
        if (!(e instanceof FormatError || e instanceof UnmappedAddressError)) throw e;
        argPC = pf.symPC;
      }
    }
    out.push(formatArgs(pf.fn, pf.argp, argPC, code, mem, rules.args));
  }
  return out;
}

/** `showfuncinfo` at traceback level 1. */
export function showFrame(
  name: string,
  special: string | undefined,
  firstFrame: boolean,
  calleeSpecial: string | undefined,
  rules: TracebackRules,
): boolean {
  if (special === 'wrapper' && !(calleeSpecial !== undefined && PANIC_CALLEES.has(calleeSpecial))) return false;
  if (special !== undefined && rules.alwaysShown.has(special)) return true;
  if (name === 'runtime.gopanic' && !firstFrame) return true;
  return name.includes('.') && (!name.startsWith('runtime.') || isExportedRuntime(name, rules.exportedRuntimeReceiverAware));
}
