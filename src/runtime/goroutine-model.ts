/**
 * One goroutine of the model from its raw g: where its stack starts (`traceback1` in
 * `src/runtime/traceback.go`: syscallpc/sp, m.vdsoPC/SP, g.sched, or the thread's registers), its
 * frames, header facts, `printcreatedby` and `isSystemGoroutine`.
 */
import type { CreatedBy } from './model.ts';
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
import { frameArgs, showFrame } from './frames.ts';
import { GoroutineRecord } from './goroutine-record.ts';
import type { InternedStack, StackTable } from './stacks.ts';
import { printedFuncName } from './func-names.ts';
import { readLabels } from './labels.ts';
import { u64 } from '../base/bytes.ts';

const MAX_PHYSICAL_FRAMES = 100_000;
/** Stacks up to this many used bytes are read in one piece (parked goroutines use a few KiB). */
const MAX_STACK_WINDOW = 1 << 20;

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
  readonly stacks: StackTable;
  /** Read argument words (false: every frame's args are '', for reports that never print them). */
  readonly frameArgs: boolean;
  /** Per-pc facts shared by goroutines: start functions and creators. */
  readonly memo: GoroutineMemo;
}

/** What goroutines started by the same go statement, or at the same function, share. */
export class GoroutineMemo {
  readonly startByPC = new Map<number, { printed: string | undefined; system: boolean }>();
  readonly createdByKey = new Map<string, CreatedBy | undefined>();
}

export function buildGoroutine(g: RawG, ctx: BuildContext): GoroutineRecord {
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

  let stack: InternedStack = ctx.stacks.empty;
  let sp0 = 0;
  let args = '';
  const running = g.status === G_RUNNING;
  if (!running || fromRegisters) {
    // The used part of the stack, read once: return addresses and argument words come from it
    // instead of one lookup through the image per word.
    const lo = start.sp;
    const hi = g.stackHi;
    const used = !fromRegisters && lo >= g.stackLo && lo < hi && hi - lo <= MAX_STACK_WINDOW ? mem.raw.tryRead(lo, hi - lo) : undefined;
    const inWindow = (a: number): boolean => used !== undefined && a >= lo && a + 8 <= hi;
    const result = unwind(start, {
      code,
      arch: target.arch,
      readPtr: (a) => {
        if (!inWindow(a)) return mem.ptr(a, 'goroutine stack');
        const v = u64(used!, a - lo);
        return Number.isNaN(v) ? 0 : v;
      },
      injectedCalls: rules.injectedCalls,
      maxFrames: MAX_PHYSICAL_FRAMES,
    });
    stack = ctx.stacks.intern(result.frames, result.error);
    sp0 = result.frames[0]?.sp ?? 0;
    if (ctx.frameArgs) {
      const read8 = (a: number): Uint8Array | undefined => (inWindow(a) ? used!.subarray(a - lo, a - lo + 8) : mem.raw.tryRead(a, 8));
      args = frameArgs(result.frames, code, { read8 }, rules).join('\n');
    }
  }

  const waiting = g.status === G_WAITING || g.status === G_LEAKED;
  const reason = waiting && g.waitreason !== 0 ? (ctx.waitNames.names[g.waitreason] ?? 'unknown wait reason') : '';
  const minutes = g.status === G_WAITING || g.status === G_SYSCALL ? waitMinutes(ctx.clock, g.waitsince) : undefined;

  let startFn = ctx.memo.startByPC.get(g.startpc);
  if (startFn === undefined) {
    const f = code.findFunc(g.startpc);
    startFn = { printed: f ? printedFuncName(f.name, rules.genericNames) : undefined, system: isSystemGoroutine(f?.name, f?.special, ctx) };
    ctx.memo.startByPC.set(g.startpc, startFn);
  }
  const cbKey = `${g.goid === 1 ? 'main' : g.gopc},${g.parentGoid}`;
  let cb = ctx.memo.createdByKey.get(cbKey);
  if (cb === undefined && !ctx.memo.createdByKey.has(cbKey)) ctx.memo.createdByKey.set(cbKey, (cb = createdBy(g, code, rules)));
  return new GoroutineRecord(
    {
      id: g.goid,
      address: g.addr,
      status: statusName(g.status),
      statusCode: g.status,
      scan: g.scan,
      waitReason: reason,
      waitMinutes: minutes,
      lockedToThread: g.lockedm !== 0,
      system: startFn.system,
      thread: binding?.thread.tid,
      startFunction: startFn.printed,
      fromRegisters,
      createdBy: cb,
      labels: readLabels(mem, g.labels, ctx.minor, ctx.warnings),
      torn: target.tornGoroutines?.has(g.addr) === true,
    },
    stack,
    sp0,
    args,
  );
}

function createdBy(g: RawG, code: CodeTable, rules: TracebackRules): CreatedBy | undefined {
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

