/**
 * `gospy capture --pid N -o snap.gsz [--force] [--mode full|goroutines] [--nonblocking]`: the command behind
 * analyze/main.ts's `capture` subcommand. Freezes the target as briefly as the copy of its resident
 * memory takes, lets it go, then compresses and writes the snapshot (after the detach, so compression
 * is never part of the pause). The measured pause goes to stderr.
 */
import * as fs from 'node:fs';
import { OutputExistsError } from '../src/base/errors.ts';
import { writeOutputFile } from '../src/base/output-file.ts';
import type { SnapshotMode } from '../src/format/snapshot/schema.ts';
import { capture, type CaptureOutcome } from './capture.ts';

export interface CaptureArgs {
  readonly pid: number;
  readonly output: string;
  readonly force: boolean;
  readonly mode: SnapshotMode;
  readonly nonblocking: boolean;
  /** Stop deadline for threads in uninterruptible sleep, ms. */
  readonly stopDeadlineMs?: number | undefined;
}

export interface CaptureIo {
  readonly stderr: { write(s: string): unknown; readonly isTTY?: boolean | undefined };
}

export const captureModes = ['full', 'goroutines'] as const;

/** Captures larger than this show a progress line while compressing (on a terminal). */
const PROGRESS_MIN_BYTES = 16 << 20;

export const captureDescription = 'Snapshot a running Go process into a .gsz file, stopping it only for the copy of its memory';

export const captureEpilogue = `Modes (--mode):
  full        (default) every resident page of every readable mapping: complete memory, so every
              report, and any later analysis, works on the snapshot. The pause grows with resident
              memory (about 0.15 s per GiB on 2 CPUs; a few ms for a small service); compression
              happens only after the target runs again. It is the default because it cannot miss
              anything.
  goroutines  only what goroutine reports need: the executable's writable segments (runtime
              globals), the Ms, allgs and every g struct, the goroutine stacks (from the lowest
              saved sp up), g0/gsignal stacks, each thread's stack around sp, and pprof labels.
              The pause and the file grow with the goroutines, not the heap (about 20 ms for 10k
              goroutines on 2 CPUs, whatever the heap): minimal for a big heap. Goroutine reports
              (stacks, summary, …) only; anything else reading the heap will find it missing.

--nonblocking never stops the target (py-spy's flag): memory is copied while it runs, so the
snapshot has no registers and a goroutine may run while it is copied. gospy then reads every g and
used stack a second time right after the copy; goroutines that differ are marked torn in every
report (their stacks may mix two moments), the others are as consistent as a stopped capture. For
when even a millisecond stop is unacceptable.

Safety: gospy uses PTRACE_SEIZE/INTERRUPT, never PTRACE_ATTACH: if gospy is killed mid-capture,
the kernel detaches and the target runs on. A target stopped with SIGSTOP before stays stopped.
Threads in uninterruptible sleep are waited for at most --stop-deadline ms; the snapshot then
lists them and is marked partial. Snapshots hold the process's secrets: they are written 0600,
atomically, and never over an existing file without --force.

Permissions: gospy must be allowed to ptrace the target: root or CAP_SYS_PTRACE (Docker:
--cap-add SYS_PTRACE; Kubernetes: kubectl debug -it POD --image=IMAGE --target=CONTAINER
--profile=general), or the same user with kernel.yama.ptrace_scope 0.

The measured pause is printed on stderr. Exit codes as for analyze; 1 also when the process does
not exist, exits during the capture, is not a Go program, or may not be traced.`;

export async function runCapture(args: CaptureArgs, io: CaptureIo): Promise<CaptureOutcome> {
  // Fail before stopping anything when the output cannot be written.
  if (!args.force && fs.existsSync(args.output)) {
    throw new OutputExistsError(args.output, `${args.output} already exists; not overwriting it`, {
      hint: 'choose another output path, or pass --force to replace it',
    });
  }
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

/**
 * What `gospy capture` (and the live `summary --pid`) print on stderr about a capture: the measured
 * pause, then warnings for a partial or torn capture. Each line ends in a newline.
 */
export function captureLines(pid: number, outcome: CaptureOutcome, nonblocking: boolean): string[] {
  const { data, stats } = outcome;
  const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
  const pause = nonblocking ? 'not stopped (--nonblocking)' : `paused ${stats.pauseMs.toFixed(1)} ms`;
  const lines = [
    `gospy: pid ${pid}: ${pause}; ${stats.threads} threads, ${mib(stats.copiedBytes)} MiB in ${stats.runs} runs` +
      `${stats.wasStopped ? '; it was stopped (SIGSTOP) before and stays stopped' : ''}\n`,
  ];
  if (data.meta.unstoppedThreads.length > 0) {
    lines.push(
      `gospy: warning: partial snapshot: thread${data.meta.unstoppedThreads.length > 1 ? 's' : ''} ${data.meta.unstoppedThreads.join(', ')} did not stop within the deadline (uninterruptible sleep); their registers are missing\n`,
    );
  }
  const torn = data.meta.tornGoroutines?.length ?? 0;
  if (torn > 0) {
    lines.push(`gospy: warning: ${torn} goroutine${torn > 1 ? 's' : ''} changed while being copied (--nonblocking); the reports mark ${torn > 1 ? 'them' : 'it'} torn\n`);
  }
  if (stats.missedBytes > 0) {
    lines.push(`gospy: warning: ${mib(stats.missedBytes)} MiB vanished while being read (the target was running)\n`);
  }
  return lines;
}
