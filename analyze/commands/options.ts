/**
 * Options and help pieces several commands share, with one spelling and one check each.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../../src/base/errors.ts';
import type { SnapshotMode } from '../../src/format/snapshot/schema.ts';
import type { CaptureControl } from '../command.ts';
import { colorChoices, formatChoices, type ColorChoice, type FormatChoice } from '../session.ts';

export const reportChoices = ['summary', 'stacks', 'top'] as const;
export const captureModes = ['full', 'goroutines'] as const satisfies readonly SnapshotMode[];
export { colorChoices, formatChoices, type ColorChoice, type FormatChoice };

/** `--pid N`: taken as a string, so that `--pid abc` is refused by name rather than as NaN. */
export function withPid<T>(y: Argv<T>, describe: string): Argv<T> {
  return y.option('pid', { type: 'string', demandOption: true, requiresArg: true, describe, defaultDescription: undefined });
}

export function pidOf(parsed: Readonly<Record<string, unknown>>): number {
  const raw = String(parsed['pid']).trim();
  const pid = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new UsageError(`--pid must be a process id (a positive whole number), not '${raw}'`, {
      hint: 'find it with `pgrep -a NAME` or `pidof NAME`',
    });
  }
  return pid;
}

/** The options of every command that stops a live process (capture, summary --pid, top --pid). */
export function withCaptureControl<T>(y: Argv<T>, mode: SnapshotMode): Argv<T> {
  return y
    .option('mode', { choices: captureModes, default: mode, describe: 'what to copy (see below)' })
    .option('nonblocking', { type: 'boolean', default: false, describe: 'never stop the target (data may be torn)' })
    .option('stop-deadline', { type: 'number', default: 200, requiresArg: true, describe: 'ms to wait for threads to stop' });
}

export function captureControlOf(parsed: Readonly<Record<string, unknown>>): CaptureControl {
  const ms = parsed['stop-deadline'];
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new UsageError(`--stop-deadline must be a number of milliseconds, not '${String(ms)}'`);
  }
  return { mode: parsed['mode'] as SnapshotMode, nonblocking: parsed['nonblocking'] === true, stopDeadlineMs: ms };
}

export function withDebug<T>(y: Argv<T>): Argv<T> {
  return y.option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' });
}

export function withColor<T>(y: Argv<T>, describe: string): Argv<T> {
  return y.option('color', { choices: colorChoices, default: 'auto' as ColorChoice, describe });
}

/**
 * Examples as a block of the guide: each command on a line of its own (never wrapped mid-command, as
 * yargs' two-column examples are), what it does on the line below.
 */
export function examplesText(examples: readonly (readonly [command: string, what: string])[]): string {
  return ['Examples:', ...examples.flatMap(([cmd, what]) => [`  ${cmd}`, `      ${what}`])].join('\n');
}

export const exitCodesText = `Exit codes:
  0   done (also when the reader of stdout stops early, e.g. | head)
  1   the input cannot be used: missing or unreadable file, not a Go program, corrupt or truncated
      core, core and executable that do not belong together; an output that cannot be written
  2   bad command line
  3   valid input gospy does not support (Go version, architecture)
  70  internal error: a gospy bug; re-run with --debug and report the stack trace`;
