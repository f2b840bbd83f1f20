/**
 * What `gospy capture` (and the live `summary --pid`) print on stderr about a capture: the measured
 * pause, then warnings for a partial or torn capture. Each line ends in a newline.
 */
import type { CaptureOutcome } from '../capture/capture.ts';

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
