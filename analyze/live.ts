/**
 * Live reports: capture a running process into memory (no snapshot file) and read its model.
 * `gospy summary --pid N` is here; `gospy top --pid N`'s terminal loop is in top-live.ts.
 * Loaded lazily by main.ts: the capture's FFI bindings (koffi) are needed only for these commands.
 */
import { capture, type CaptureOutcome } from '../capture/capture.ts';
import { FormatError, UnsupportedError } from '../src/base/errors.ts';
import type { SnapshotMode } from '../src/format/snapshot/schema.ts';
import { captureLines } from '../capture/main.ts';
import { snapshotFromCapture } from '../src/format/snapshot/reader.ts';
import { analyzeSnapshot } from '../src/runtime/analyze-file.ts';
import type { ProcessModel } from '../src/runtime/model.ts';
import { styleFor } from '../src/report/common.ts';
import { formatJson } from '../src/report/json.ts';
import { formatSummary } from '../src/report/summary.ts';
import { writeChunks, type OutStream } from './output.ts';

/** What the model records as its input path for an in-memory capture. */
export const liveInputName = 'live capture';

export interface LiveCaptureOptions {
  /** What to copy; 'goroutines' unless said (live reports only read goroutines). */
  readonly mode?: SnapshotMode | undefined;
  readonly nonblocking: boolean;
  /** Stop deadline for threads in uninterruptible sleep, ms. */
  readonly stopDeadlineMs?: number | undefined;
}

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
export function captureModel(pid: number, opts: LiveCaptureOptions): LiveCapture {
  const mode = opts.mode ?? 'goroutines';
  const base = { pid, nonblocking: opts.nonblocking, stopDeadlineMs: opts.stopDeadlineMs };
  let outcome: CaptureOutcome;
  let fallback: string | undefined;
  try {
    outcome = capture({ ...base, mode });
  } catch (e) {
    // Only the planner's "cannot read this binary" errors; a missing, exiting, untraceable or
    // non-Go process is reported as it is.
    if (mode !== 'goroutines' || !(e instanceof UnsupportedError || e instanceof FormatError)) throw e;
    fallback = `${e.message}; captured all resident memory instead (--mode full)`;
    outcome = capture({ ...base, mode: 'full' });
  }
  const model = analyzeSnapshot(snapshotFromCapture(outcome.data), liveInputName);
  if (fallback === undefined) return { model, outcome };
  return { model: { ...model, warnings: [{ kind: 'live-mode-fallback', message: fallback }, ...model.warnings] }, outcome };
}

export interface LiveSummaryArgs extends LiveCaptureOptions {
  readonly pid: number;
  readonly all: boolean;
  readonly format: 'text' | 'json';
  /** Colour the text report (already decided from --color, NO_COLOR and the terminal). */
  readonly color: boolean;
}

export interface LiveIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
}

/** `gospy summary --pid N`: the pause on stderr, then `gospy analyze`'s default report on stdout. */
export async function runLiveSummary(args: LiveSummaryArgs, io: LiveIo): Promise<void> {
  const { model, outcome } = captureModel(args.pid, args);
  await writeChunks(io.stderr, captureLines(args.pid, outcome, args.nonblocking));
  const chunks =
    args.format === 'json'
      ? formatJson(model, { report: 'summary', all: args.all })
      : formatSummary(model, { all: args.all, style: styleFor(args.color) });
  await writeChunks(io.stdout, chunks);
  if (model.warnings.length > 0) {
    await writeChunks(io.stderr, model.warnings.map((w) => `gospy: warning: ${w.message}\n`));
  }
}
