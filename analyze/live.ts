/**
 * Live reports: capture a running process into memory (no snapshot file) and read its model.
 * `gospy summary --pid N` is here; `gospy top --pid N`'s terminal loop is in top-live.ts.
 * Loaded by analyze/commands/live.ts when one of them runs: only they need capture/ (ptrace, koffi).
 */
import { capture, type CaptureOutcome } from '../capture/capture.ts';
import { FormatError, UnsupportedError } from '../src/base/errors.ts';
import { snapshotFromCapture } from '../src/format/snapshot/reader.ts';
import { snapshotModel } from '../src/runtime/open-model.ts';
import type { ProcessModel } from '../src/runtime/model.ts';
import { styleFor } from '../src/report/common.ts';
import { formatJson } from '../src/report/json.ts';
import { formatSummary } from '../src/report/summary.ts';
import { captureLines } from './capture-lines.ts';
import type { CaptureControl } from './command.ts';
import type { Session } from './session.ts';

export interface LiveCapture {
  readonly model: ProcessModel;
  readonly outcome: CaptureOutcome;
}

/**
 * One capture of `pid` into memory, then its process model. The target runs again on return.
 * Goroutines mode by default: the reports read nothing else, and its pause grows with the
 * goroutines, not with the heap (a refresh of `top --pid` every second must not stop a big service
 * for a copy of its heap). When that mode cannot read the binary (it must find the runtime's
 * globals before the freeze), the capture falls back to full mode and the model says so.
 */
export function captureModel(pid: number, opts: CaptureControl): LiveCapture {
  const base = { pid, nonblocking: opts.nonblocking, stopDeadlineMs: opts.stopDeadlineMs };
  let outcome: CaptureOutcome;
  let fallback: string | undefined;
  try {
    outcome = capture({ ...base, mode: opts.mode });
  } catch (e) {
    // Only the planner's "cannot read this binary" errors; a missing, exiting, untraceable or
    // non-Go process is reported as it is.
    if (opts.mode !== 'goroutines' || !(e instanceof UnsupportedError || e instanceof FormatError)) throw e;
    fallback = `${e.message}; captured all resident memory instead (--mode full)`;
    outcome = capture({ ...base, mode: 'full' });
  }
  const read = snapshotModel(snapshotFromCapture(outcome.data), `/proc/${pid}`);
  // The input is the process itself, not a snapshot file (docs/json.md: input.kind "live").
  const model: ProcessModel = { ...read, input: { path: `/proc/${pid}`, kind: 'live', pid } };
  if (fallback === undefined) return { model, outcome };
  return { model: { ...model, warnings: [{ kind: 'live-mode-fallback', message: fallback }, ...model.warnings] }, outcome };
}

export interface LiveSummaryArgs extends CaptureControl {
  readonly pid: number;
  readonly all: boolean;
  readonly format: 'text' | 'json';
  /** Colour the text report (already decided from --color, NO_COLOR and the terminal). */
  readonly color: boolean;
}

/** `gospy summary --pid N`: the pause on stderr, then `gospy analyze`'s default report on stdout. */
export async function runLiveSummary(args: LiveSummaryArgs, session: Session): Promise<void> {
  const { model, outcome } = captureModel(args.pid, args);
  await session.note(captureLines(args.pid, outcome, args.nonblocking));
  await session.report(
    args.format === 'json'
      ? formatJson(model, { report: 'summary', all: args.all })
      : formatSummary(model, { all: args.all, style: styleFor(args.color) }),
  );
  await session.warn(model.warnings);
}
