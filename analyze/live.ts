/**
 * Live reports: capture a running process into memory (no snapshot file) and read its model.
 * `gospy summary --pid N` is here; `gospy top --pid N`'s terminal loop is in top-live.ts.
 * Loaded lazily by main.ts: the capture's FFI bindings (koffi) are needed only for these commands.
 */
import { capture, type CaptureOutcome } from '../capture/capture.ts';
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
  readonly nonblocking: boolean;
  /** Stop deadline for threads in uninterruptible sleep, ms. */
  readonly stopDeadlineMs?: number | undefined;
}

export interface LiveCapture {
  readonly model: ProcessModel;
  readonly outcome: CaptureOutcome;
}

/** One full capture of `pid` into memory, then its process model. The target runs again on return. */
export function captureModel(pid: number, opts: LiveCaptureOptions): LiveCapture {
  const outcome = capture({ pid, mode: 'full', nonblocking: opts.nonblocking, stopDeadlineMs: opts.stopDeadlineMs });
  const model = analyzeSnapshot(snapshotFromCapture(outcome.data), liveInputName);
  return { model, outcome };
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
