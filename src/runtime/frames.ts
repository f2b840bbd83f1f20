/**
 * Physical frames → the logical frames a traceback prints: inline expansion, the level-1 visibility
 * rules (`showfuncinfo`, `elideWrapperCalling`, `isExportedRuntime` in `src/runtime/traceback.go`),
 * printed names and arguments.
 */
import { FormatError, UnmappedAddressError } from '../base/errors.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { Frame } from './model.ts';
import type { CodeTable } from './code.ts';
import type { PhysicalFrame } from './unwind.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';
import { formatArgs, type ArgMemory } from './args.ts';
import { isExportedRuntime, printedFuncName } from './func-names.ts';

const PANIC_CALLEES = new Set(['gopanic', 'sigpanic', 'panicwrap']);

export function logicalFrames(
  physical: readonly PhysicalFrame[],
  code: CodeTable,
  mem: ArgMemory,
  rules: TracebackRules,
  warnings: WarningSink,
): Frame[] {
  const out: Frame[] = [];
  let callee: string | undefined;
  let shown = 0;
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
        function: printedFuncName(lf.name, rules.genericNames),
        file: lf.file,
        line: lf.line,
        pc: lf.inlined ? pf.symPC : pf.pc,
        entry: pf.fn.entry,
        inlined: lf.inlined,
        // ≤1.20 looked up argument liveness at the pc the inline walk ended on (gentraceback reused
        // its tracepc); 1.21+ at the frame's own symbolic pc.
        args: lf.inlined ? '...' : formatArgs(pf.fn, pf.argp, rules.argLiveAtInlineParent ? lf.pc : pf.symPC, code, mem, rules.args),
        visible,
        sp: pf.sp,
        fp: pf.fp,
        physical: index,
      });
    }
  });
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
