/**
 * One goroutine of the model from its raw g: where its stack starts (`traceback1` in
 * `src/runtime/traceback.go`: syscallpc/sp, m.vdsoPC/SP, g.sched, or the thread's registers), its
 * frames, header facts, `printcreatedby` and `isSystemGoroutine`.
 */
import type { Frame, Goroutine } from './model.ts';
import type { Target } from './target.ts';
import type { Mem } from './mem.ts';
import type { CodeTable } from './code.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { RawG } from './goroutines.ts';
import type { ThreadBinding } from './threads.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';
import type { ClockReading } from './clock.ts';
import { waitMinutes } from './clock.ts';
import { G_RUNNING, G_SYSCALL, G_WAITING, G_LEAKED, statusName } from './layouts/gstatus.ts';
import { unwind, type UnwindStart } from './unwind.ts';
import { logicalFrames, showFrame } from './frames.ts';
import { printedFuncName } from './func-names.ts';
import { readLabels } from './labels.ts';

const MAX_PHYSICAL_FRAMES = 100_000;

export interface BuildContext {
  readonly target: Target;
  readonly mem: Mem;
  readonly code: CodeTable;
  readonly rules: TracebackRules;
  readonly minor: number;
  readonly waitNames: { names: readonly string[]; source: string };
  readonly clock: ClockReading | undefined;
  readonly finalizerRunning: boolean;
  readonly bindingByCurg: ReadonlyMap<number, ThreadBinding>;
  readonly mByAddr: ReadonlyMap<number, { vdsoSP: number; vdsoPC: number }>;
  readonly warnings: WarningSink;
}

export function buildGoroutine(g: RawG, ctx: BuildContext): Goroutine {
  const { code, rules, target, mem } = ctx;
  const binding = ctx.bindingByCurg.get(g.addr);
  let start: UnwindStart;
  let fromRegisters = false;
  if (g.status === G_RUNNING && binding && binding.currentG === g.addr) {
    const t = binding.thread;
    start = { pc: t.pc, sp: t.sp, lr: t.lr, trap: true, syscall: false };
    fromRegisters = true;
  } else if (g.syscallSP !== 0) {
    start = { pc: g.syscallPC, sp: g.syscallSP, lr: 0, trap: false, syscall: true };
  } else {
    start = { pc: g.schedPC, sp: g.schedSP, lr: g.schedLR, trap: false, syscall: false };
  }
  const m = g.m ? ctx.mByAddr.get(g.m) : undefined;
  if (m && m.vdsoSP !== 0 && !fromRegisters) start = { pc: m.vdsoPC, sp: m.vdsoSP, lr: 0, trap: false, syscall: false };

  let frames: Frame[] = [];
  let unwindError: string | undefined;
  const running = g.status === G_RUNNING;
  if (!running || fromRegisters) {
    const result = unwind(start, {
      code,
      arch: target.arch,
      readPtr: (a) => mem.ptr(a, 'goroutine stack'),
      injectedCalls: rules.injectedCalls,
      maxFrames: MAX_PHYSICAL_FRAMES,
    });
    unwindError = result.error;
    frames = logicalFrames(result.frames, code, { read8: (a) => mem.raw.tryRead(a, 8) }, rules, ctx.warnings);
  }

  const waiting = g.status === G_WAITING || g.status === G_LEAKED;
  const reason = waiting && g.waitreason !== 0 ? (ctx.waitNames.names[g.waitreason] ?? 'unknown wait reason') : '';
  const minutes = g.status === G_WAITING || g.status === G_SYSCALL ? waitMinutes(ctx.clock, g.waitsince) : undefined;

  const startFn = code.findFunc(g.startpc);
  return {
    id: g.goid,
    address: g.addr,
    status: statusName(g.status),
    statusCode: g.status,
    scan: g.scan,
    waitReason: reason,
    waitMinutes: minutes,
    lockedToThread: g.lockedm !== 0,
    system: isSystemGoroutine(startFn?.name, startFn?.special, ctx),
    thread: binding?.thread.tid,
    startFunction: startFn ? printedFuncName(startFn.name, rules.genericNames) : undefined,
    frames,
    fromRegisters,
    createdBy: createdBy(g, code, rules),
    labels: readLabels(mem, g.labels, ctx.minor, ctx.warnings),
    unwindError,
    torn: target.tornGoroutines?.has(g.addr) === true,
  };
}

function createdBy(g: RawG, code: CodeTable, rules: TracebackRules): Goroutine['createdBy'] {
  if (g.goid === 1 || g.gopc === 0) return undefined;
  const f = code.findFunc(g.gopc);
  if (!f) return undefined;
  const tracepc = g.gopc > f.entry ? g.gopc - code.quantum : g.gopc;
  const { file, line } = code.fileLine(f, tracepc);
  return {
    function: printedFuncName(f.name, rules.genericNames),
    file,
    line,
    pc: g.gopc,
    entry: f.entry,
    goroutine: rules.createdByGoroutine && g.parentGoid !== 0 ? g.parentGoid : undefined,
    visible: showFrame(f.name, f.special, false, undefined, rules),
  };
}

/** `isSystemGoroutine(gp, false)`: decided by the start function, not the current frame. */
function isSystemGoroutine(name: string | undefined, special: string | undefined, ctx: BuildContext): boolean {
  if (name === undefined) return false;
  if (special !== undefined && ctx.rules.userStartSpecials.has(special)) return false;
  if (special === 'runfinq' || special === 'runFinalizers') return !ctx.finalizerRunning;
  return name.startsWith('runtime.');
}

