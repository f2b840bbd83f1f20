/**
 * Physical stack unwinding the way the Go runtime does it for tracebacks: pcsp-table frame sizes,
 * return addresses from the stack (amd64) or LR/stack slot (arm64), TopFrame/SPWrite stops, injected
 * calls (sigpanic, asyncPreempt, debugCallV2). Mirrors `unwinder` in `src/runtime/traceback.go`
 * (go1.21+: initAt, resolveInternal, next, symPC) and `gentraceback` (go1.12–go1.20), which behave
 * the same for what a traceback prints.
 */
import type { ArchSpec } from './arch.ts';
import { FUNC_FLAG_SPWRITE, FUNC_FLAG_TOPFRAME, type CodeFunc, type CodeTable } from './code.ts';

export interface PhysicalFrame {
  readonly fn: CodeFunc;
  readonly pc: number;
  readonly sp: number;
  readonly fp: number;
  readonly argp: number;
  /** The pc used for file:line and pcdata lookups (pc−1 after a call, pc at a trap or entry). */
  readonly symPC: number;
  /** Special funcID name of the physical frame called from this one (undefined: innermost or normal). */
  readonly calleeSpecial: string | undefined;
}

export interface UnwindStart {
  readonly pc: number;
  readonly sp: number;
  /** Link register (arm64); 0 when unknown. */
  readonly lr: number;
  /** The innermost pc is a trapping instruction (registers of a running thread), not a return address. */
  readonly trap: boolean;
  /** Started from g.syscallpc/syscallsp: SPWrite is ignored on the innermost frame. */
  readonly syscall: boolean;
}

export interface UnwindContext {
  readonly code: CodeTable;
  readonly arch: ArchSpec;
  readPtr(addr: number): number;
  /** Callee specials after which the caller's pc is not decremented (version-dependent). */
  readonly injectedCalls: ReadonlySet<string>;
  /** Hard cap on physical frames (corrupt stacks must not loop). */
  readonly maxFrames: number;
}

export interface UnwindResult {
  readonly frames: PhysicalFrame[];
  /** Why the walk stopped before a top frame, when it did. */
  readonly error: string | undefined;
}

/** Specials the runtime treats as injected calls when unwinding (sigctxt fakes a call to them). */
const INJECTED_FOR_UNWIND = new Set(['sigpanic', 'asyncPreempt', 'debugCallV2']);

export function unwind(start: UnwindStart, ctx: UnwindContext): UnwindResult {
  const { code, arch } = ctx;
  const frames: PhysicalFrame[] = [];
  let pc = start.pc;
  let sp = start.sp;
  let lr = arch.usesLR ? start.lr : 0;
  let trap = start.trap;
  let calleeSpecial: string | undefined;
  let innermost = true;

  if (pc === 0) {
    // A call through a nil func value: the return address is on top of the stack.
    try {
      pc = ctx.readPtr(sp);
    } catch {
      return { frames, error: 'nil pc and unreadable stack' };
    }
    if (!arch.usesLR) sp += arch.ptrSize;
    lr = 0;
  }

  for (;;) {
    if (frames.length >= ctx.maxFrames) return { frames, error: `more than ${ctx.maxFrames} frames` };
    const fn = code.findFunc(pc);
    if (!fn) {
      return { frames, error: frames.length === 0 ? `unknown pc 0x${pc.toString(16)}` : `unexpected return pc 0x${pc.toString(16)}` };
    }
    const spdelta = code.pcsp(fn, pc);
    if (spdelta < 0) return { frames, error: `no frame size for ${fn.name} at pc 0x${pc.toString(16)}` };
    let fp = sp + spdelta;
    if (!arch.usesLR) fp += arch.ptrSize;

    let flag = fn.flag;
    if (fn.special === 'cgocallback') flag &= ~FUNC_FLAG_SPWRITE;
    if (innermost && start.syscall) flag &= ~FUNC_FLAG_SPWRITE;

    let stop = false;
    if (flag & FUNC_FLAG_TOPFRAME) {
      lr = 0;
      stop = true;
    } else if (flag & FUNC_FLAG_SPWRITE) {
      // Tracebacks stop at functions that write SP in ways the pcsp table cannot describe.
      lr = 0;
      stop = true;
    } else {
      try {
        if (arch.usesLR) {
          if ((innermost && sp < fp) || lr === 0) lr = ctx.readPtr(sp);
        } else if (lr === 0) {
          lr = ctx.readPtr(fp - arch.ptrSize);
        }
      } catch {
        const symPC = !trap && pc > fn.entry ? pc - 1 : pc;
        frames.push({ fn, pc, sp, fp, argp: fp + arch.minFrameSize, symPC, calleeSpecial });
        return { frames, error: `return address of ${fn.name} is not readable` };
      }
    }

    const symPC = !trap && pc > fn.entry ? pc - 1 : pc;
    frames.push({ fn, pc, sp, fp, argp: fp + arch.minFrameSize, symPC, calleeSpecial });
    if (stop || lr === 0) return { frames, error: undefined };

    const next = code.findFunc(lr);
    if (!next) return { frames, error: `unexpected return pc 0x${lr.toString(16)} called from ${fn.name}` };
    if (pc === lr && sp === fp) return { frames, error: `traceback stuck at ${fn.name}` };

    const injected = fn.special !== undefined && INJECTED_FOR_UNWIND.has(fn.special);
    trap = fn.special !== undefined && ctx.injectedCalls.has(fn.special);
    calleeSpecial = fn.special;
    pc = lr;
    lr = 0;
    sp = fp;
    if (arch.usesLR && injected) {
      // The signal handler saved LR on the stack before faking the call.
      let saved: number;
      try {
        saved = ctx.readPtr(sp);
      } catch {
        return { frames, error: 'unreadable stack after injected call' };
      }
      sp += Math.ceil(arch.minFrameSize / arch.stackAlign) * arch.stackAlign;
      const f2 = code.findFunc(pc);
      if (!f2) pc = saved;
      else if (code.pcsp(f2, pc) === 0) lr = saved;
    }
    innermost = false;
  }
}
