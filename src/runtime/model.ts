/**
 * The plain, serialisable result of reading a Go process image: what every report is a function of.
 * Nothing here refers to memory or file formats, so reports can be tested from a model alone.
 */
import type { Warning } from '../base/warnings.ts';

export interface ProcessModel {
  readonly goVersion: string;
  readonly arch: 'amd64' | 'arm64';
  readonly executable: string;
  /** How the executable was chosen ('argument' when given with --exe). */
  readonly executableFoundBy: string;
  /** GOROOT the binary was built with ('' for -trimpath builds), to tell standard library frames apart. */
  readonly goroot: string | undefined;
  readonly input: { readonly path: string; readonly kind: 'core' | 'snapshot' | 'live'; readonly pid?: number | undefined };
  /** How trustworthy the reading is: where the struct layouts and runtime addresses came from. */
  readonly provenance: {
    readonly layouts: string;
    readonly symbols: string;
    readonly waitReasons: string;
  };
  readonly buildInfo?: BuildInfoSummary | undefined;
  readonly threads: readonly ThreadInfo[];
  /** Every goroutine that is not dead, in the runtime's `allgs` order (the order tracebacks use). */
  readonly goroutines: readonly Goroutine[];
  /** The monotonic clock reading used for wait minutes, and whether it is an estimate. */
  readonly clock: { readonly nanotime: number; readonly estimated: boolean; readonly source: string } | undefined;
  readonly traceback: TracebackStyle;
  readonly warnings: readonly Warning[];
}

export interface BuildInfoSummary {
  readonly path: string | undefined;
  readonly mainModule: string | undefined;
  readonly mainVersion: string | undefined;
  readonly settings: readonly (readonly [string, string])[];
}

export interface ThreadInfo {
  readonly tid: number;
  /** Kernel state letter when known (snapshots), else undefined. */
  readonly state: string | undefined;
  /** What the thread is doing from Go's point of view. */
  readonly role: 'goroutine' | 'system-stack' | 'idle' | 'non-go' | 'unknown';
  readonly goroutine: number | undefined;
  readonly mId: number | undefined;
  readonly pc: number;
  readonly function: string | undefined;
}

export interface Frame {
  /** Name as the runtime prints it (generic shapes abbreviated per version). */
  readonly function: string;
  readonly file: string;
  readonly line: number;
  readonly pc: number;
  /** Function entry of the physical function containing pc. */
  readonly entry: number;
  readonly inlined: boolean;
  /** Argument text between the parentheses, exactly as the runtime prints it ('...' for inlined). */
  readonly args: string;
  /** False when the runtime hides this frame at traceback level 1 (runtime internals, wrappers). */
  readonly visible: boolean;
  readonly sp: number;
  readonly fp: number;
  /** Index of the physical frame this logical frame belongs to (Go ≤1.20 budgets physical frames). */
  readonly physical: number;
}

export interface CreatedBy {
  readonly function: string;
  readonly file: string;
  readonly line: number;
  readonly pc: number;
  readonly entry: number;
  /** Parent goroutine id (Go 1.21+), else undefined. */
  readonly goroutine: number | undefined;
  /** False when the runtime hides the creator at level 1 (e.g. created by runtime.gcenable). */
  readonly visible: boolean;
}

export interface Goroutine {
  readonly id: number;
  /** Address of the runtime.g struct. */
  readonly address: number;
  /** Status name without the scan bit: idle, runnable, running, syscall, waiting, dead, copystack, preempted, leaked. */
  readonly status: string;
  readonly statusCode: number;
  readonly scan: boolean;
  /** Wait reason text ('' when none). */
  readonly waitReason: string;
  /** Whole minutes waited as the runtime computes them, undefined when unknown or < 1. */
  readonly waitMinutes: number | undefined;
  readonly lockedToThread: boolean;
  /** A runtime-internal goroutine (hidden by runtime.Stack and GOTRACEBACK < system). */
  readonly system: boolean;
  /** Thread (LWP) currently running this goroutine, if any. */
  readonly thread: number | undefined;
  readonly startFunction: string | undefined;
  /** Logical frames, innermost first, inlined ones included; `visible` tells what level 1 prints. */
  readonly frames: readonly Frame[];
  /** True when the stack was unwound from a thread's registers (running goroutines). */
  readonly fromRegisters: boolean;
  readonly createdBy: CreatedBy | undefined;
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** Why unwinding stopped early, if it did. */
  readonly unwindError: string | undefined;
  /**
   * A --nonblocking capture saw this goroutine change while it copied it: what is shown may mix two
   * moments. Never true for cores and stopped captures.
   */
  readonly torn: boolean;
  /**
   * The same object for goroutines whose frames differ only in argument words and stack addresses
   * (interned stacks, src/runtime/stacks.ts): reports key per-stack work on it. Absent in models
   * made by hand.
   */
  readonly sharedStack?: object | undefined;
}

/** Version-dependent details of the runtime's traceback text, decided once per process. */
export interface TracebackStyle {
  /** 1.21+: `created by F in goroutine N`. */
  readonly createdByGoroutine: boolean;
  /** ≤1.20: at most 100 physical frames; 1.21+: first 50 + `...N frames elided...` + last 50 logical. */
  readonly elision: 'budget100' | 'head50tail50';
  /** Name printer for generic functions. */
  readonly genericNames: 'raw' | 'abbreviate' | 'abbreviate-groups';
  /** 1.27: labels printed after the status bracket; 1.26: inside with GODEBUG; else never. */
  readonly labels: 'none' | 'inside' | 'after';
}
