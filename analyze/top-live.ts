/**
 * `gospy top --pid N`: a live terminal view like py-spy top. Every --rate seconds: one capture into
 * memory (no file), goroutines grouped by their user-level function (report/top.ts's buckets), largest
 * group first, under a header with the pid, goroutine count, the pause of that capture and the time.
 *
 * On a terminal it draws on the alternate screen; `q` or Ctrl-C quits and restores the terminal (raw
 * mode is set on stdin only when stdin is a terminal). When stdout is not a terminal it prints one
 * frame and returns, so `gospy top --pid N | less` and scripts work.
 */
import type { Warning } from '../src/base/warnings.ts';
import type { ProcessModel } from '../src/runtime/model.ts';
import type { CaptureOutcome } from '../capture/capture.ts';
import { plainStyle, styleFor, type Style } from '../src/report/common.ts';
import { percent, statusMix, topBuckets } from '../src/report/top.ts';
import type { CaptureControl } from './command.ts';
import { captureModel } from './live.ts';
import type { Session } from './session.ts';

export interface LiveTopArgs extends CaptureControl {
  readonly pid: number;
  /** Seconds between refreshes. */
  readonly rate: number;
  readonly all: boolean;
  /** Colour on a terminal (already decided from --color and NO_COLOR). */
  readonly color: boolean;
}

/** The parts of process.stdin the loop uses. */
export interface KeyInput {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (data: Buffer | string) => void): unknown;
  off(event: 'data', listener: (data: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface FrameOptions {
  readonly pid: number;
  readonly all: boolean;
  readonly nonblocking: boolean;
  /** Terminal size; undefined = no limit (one frame to a pipe). */
  readonly columns?: number | undefined;
  readonly rows?: number | undefined;
  readonly now: Date;
  readonly style?: Style | undefined;
  /** Show the "q quits" hint (only when keys are read). */
  readonly keysHint?: boolean | undefined;
}

/** One frame: the header line, a blank line, then the table of groups; one string per line. */
export function renderFrame(model: ProcessModel, outcome: CaptureOutcome, opts: FrameOptions): string[] {
  const style = opts.style ?? plainStyle;
  const { total, buckets } = topBuckets(model, { all: opts.all });
  const pause = opts.nonblocking ? 'not stopped' : `pause ${outcome.stats.pauseMs.toFixed(1)} ms`;
  const hidden = opts.all ? 0 : model.goroutines.length - total;
  const header =
    `gospy top  pid ${opts.pid}  ${total} goroutine${total === 1 ? '' : 's'}` +
    `${hidden > 0 ? ` (+${hidden} system)` : ''}  ${buckets.length} group${buckets.length === 1 ? '' : 's'}` +
    `  ${pause}  ${clock(opts.now)}${opts.keysHint === true ? '  (q quits)' : ''}`;
  const width = opts.columns !== undefined && opts.columns > 0 ? opts.columns : Infinity;
  const fit = (s: string): string => (s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s);
  const lines = [style.bold(fit(header)), ''];
  const rows = buckets.map((b) => [String(b.count), percent(b.share), b.function, statusMix(b)]);
  const head = ['COUNT', 'SHARE', 'FUNCTION', 'STATES'];
  const w = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `${r[0]!.padStart(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]!}`.trimEnd();
  lines.push(style.dim(fit(line(head))));
  // Leave the header, the blank line, the column titles and one line for "… more".
  const room = opts.rows !== undefined && opts.rows > 0 ? Math.max(1, opts.rows - 4) : Infinity;
  const shown = rows.length > room ? rows.slice(0, room - 1) : rows;
  for (const r of shown) lines.push(fit(line(r)));
  if (shown.length < rows.length) {
    const rest = rows.slice(shown.length).reduce((n, r) => n + Number(r[0]), 0);
    lines.push(style.dim(fit(`… ${rows.length - shown.length} more groups (${rest} goroutines)`)));
  }
  return lines;
}

function clock(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const enterScreen = '\u001b[?1049h\u001b[?25l';
const leaveScreen = '\u001b[?25h\u001b[?1049l';
const home = '\u001b[H';
const clearLine = '\u001b[K';
const clearBelow = '\u001b[J';

export async function runLiveTop(args: LiveTopArgs, session: Session, stdin: KeyInput = process.stdin): Promise<void> {
  const { io } = session;
  if (io.stdout.isTTY !== true) {
    const { model, outcome } = captureModel(args.pid, args);
    const lines = renderFrame(model, outcome, { pid: args.pid, all: args.all, nonblocking: args.nonblocking, now: new Date() });
    await session.report([lines.map((l) => `${l}\n`).join('')]);
    await session.warn(model.warnings);
    return;
  }

  const keys = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  let quit = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    quit = true;
    wake?.();
  };
  const onData = (d: Buffer | string): void => {
    const s = typeof d === 'string' ? d : d.toString('latin1');
    // q, Q, Ctrl-C (raw mode delivers it as a byte), Ctrl-D.
    if (/[qQ\u0003\u0004]/.test(s)) stop();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, stop);
  let entered = false;
  try {
    if (keys) {
      stdin.setRawMode!(true);
      stdin.on('data', onData);
      stdin.resume();
    }
    io.stdout.write(enterScreen);
    entered = true;
    const style = styleFor(args.color);
    // Warnings are remembered and printed once the screen is restored.
    let warned = new Map<string, Warning>();
    while (!quit) {
      const started = performance.now();
      const { model, outcome } = captureModel(args.pid, args);
      const lines = renderFrame(model, outcome, {
        pid: args.pid,
        all: args.all,
        nonblocking: args.nonblocking,
        columns: io.stdout.columns,
        rows: io.stdout.rows,
        now: new Date(),
        style,
        keysHint: keys,
      });
      io.stdout.write(`${home}${lines.map((l) => `${l}${clearLine}`).join('\r\n')}${clearBelow}`);
      for (const w of model.warnings) warned.set(w.message, w);
      if (quit) break;
      const waitMs = Math.max(50, args.rate * 1000 - (performance.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    if (entered) io.stdout.write(leaveScreen);
    entered = false;
    await session.warn([...warned.values()]);
    warned = new Map();
  } finally {
    for (const sig of signals) process.off(sig, stop);
    if (keys) {
      stdin.off('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
    }
    if (entered) io.stdout.write(leaveScreen);
  }
}
