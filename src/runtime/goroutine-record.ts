/**
 * The compact in-memory form of one goroutine: what a report needs and nothing more. The frame
 * sequence is a shared InternedStack (stacks.ts); the goroutine keeps only its argument text (one
 * string, '\n'-separated, one entry per physical frame) and its innermost sp. `frames` builds the
 * Frame objects when a report asks, so a million goroutines cost a few hundred bytes each, not a
 * few KiB.
 */
import type { CreatedBy, Frame, Goroutine } from './model.ts';
import type { InternedStack } from './stacks.ts';

const noFrames: readonly Frame[] = Object.freeze([]);

/** Everything of a Goroutine but what the shared stack gives (frames, unwindError). */
export type GoroutineFields = Omit<Goroutine, 'frames' | 'unwindError'>;

export class GoroutineRecord implements Goroutine {
  readonly id: number;
  readonly address: number;
  readonly status: string;
  readonly statusCode: number;
  readonly scan: boolean;
  readonly waitReason: string;
  readonly waitMinutes: number | undefined;
  readonly lockedToThread: boolean;
  readonly system: boolean;
  readonly thread: number | undefined;
  readonly startFunction: string | undefined;
  readonly fromRegisters: boolean;
  readonly createdBy: CreatedBy | undefined;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly torn: boolean;
  readonly sharedStack: InternedStack;
  /** Innermost frame's sp: frame sp/fp are template offsets from it. */
  private readonly sp0: number;
  /** Argument text per physical frame, joined by '\n' (argument text never holds one). */
  private readonly args: string;

  constructor(fields: GoroutineFields, stack: InternedStack, sp0: number, args: string) {
    this.id = fields.id;
    this.address = fields.address;
    this.status = fields.status;
    this.statusCode = fields.statusCode;
    this.scan = fields.scan;
    this.waitReason = fields.waitReason;
    this.waitMinutes = fields.waitMinutes;
    this.lockedToThread = fields.lockedToThread;
    this.system = fields.system;
    this.thread = fields.thread;
    this.startFunction = fields.startFunction;
    this.fromRegisters = fields.fromRegisters;
    this.createdBy = fields.createdBy;
    this.labels = fields.labels;
    this.torn = fields.torn;
    this.sharedStack = stack;
    this.sp0 = sp0;
    this.args = args;
  }

  get unwindError(): string | undefined {
    return this.sharedStack.unwindError;
  }

  get frames(): readonly Frame[] {
    const t = this.sharedStack.frames;
    if (t.length === 0) return noFrames;
    const args = this.args.split('\n');
    let next = 0;
    const sp0 = this.sp0;
    return t.map((f) => ({
      function: f.function,
      file: f.file,
      line: f.line,
      pc: f.pc,
      entry: f.entry,
      inlined: f.inlined,
      args: f.inlined ? '...' : (args[next++] ?? ''),
      visible: f.visible,
      sp: sp0 + f.spOff,
      fp: sp0 + f.fpOff,
      physical: f.physical,
    }));
  }
}
