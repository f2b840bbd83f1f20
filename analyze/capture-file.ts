/**
 * `gospy capture --pid N -o snap.gsz`: freezes the target as briefly as the copy of its memory takes,
 * lets it go, then compresses and writes the snapshot (after the detach, so compression is never part
 * of the pause). The measured pause goes to stderr. Loaded by analyze/commands/capture.ts when it runs.
 */
import { checkOutputFree, writeOutputFile } from '../src/base/output-file.ts';
import type { CaptureOutcome } from '../capture/capture.ts';
import type { CaptureControl } from './command.ts';
import { captureLines } from './capture-lines.ts';

export interface CaptureArgs extends CaptureControl {
  readonly pid: number;
  readonly output: string;
  readonly force: boolean;
}

export interface CaptureIo {
  readonly stderr: { write(s: string): unknown; readonly isTTY?: boolean | undefined };
}

/** Captures larger than this show a progress line while compressing (on a terminal). */
const PROGRESS_MIN_BYTES = 16 << 20;

export async function runCapture(args: CaptureArgs, io: CaptureIo): Promise<CaptureOutcome> {
  // Before anything touches the target (capture/ is not even loaded yet): an output that cannot be
  // written must not cost the target a pause, nor the user a snapshot thrown away.
  checkOutputFree(args.output, args.force);
  const { capture } = await import('../capture/capture.ts');
  // GOSPY_TEST_HOLD_MS: a test hook (test/capture/safety.test.ts) that keeps the target stopped longer.
  const hold = Number(process.env['GOSPY_TEST_HOLD_MS'] ?? '0');
  const outcome = capture({
    pid: args.pid,
    mode: args.mode,
    nonblocking: args.nonblocking,
    stopDeadlineMs: args.stopDeadlineMs,
    holdMs: Number.isFinite(hold) && hold > 0 ? hold : undefined,
  });
  const { data, stats } = outcome;
  const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
  io.stderr.write(captureLines(args.pid, outcome, args.nonblocking).join(''));
  const { writeSnapshot } = await import('../src/format/snapshot/writer.ts');
  // A progress line on a terminal once compressing takes noticeable time (brotli runs at roughly
  // 100–250 MiB/s here, so from about a tenth of a second); one update per 4 MiB chunk.
  const tty = io.stderr.isTTY === true && stats.copiedBytes > PROGRESS_MIN_BYTES;
  const written = await writeOutputFile(args.output, args.force, (sink) =>
    writeSnapshot(sink, data, {
      onProgress: tty ? (done, total) => io.stderr.write(`\r\u001b[Kgospy: compressing ${mib(done)}/${mib(total)} MiB`) : undefined,
    }),
  );
  if (tty) io.stderr.write('\r\u001b[K');
  io.stderr.write(
    `gospy: wrote ${args.output} (${mib(written.fileBytes)} MiB, ${written.codec}, ${written.seconds.toFixed(1)} s)\n`,
  );
  return outcome;
}
