/**
 * `gospy summary --pid N` and `gospy top --pid N`: reports on a running process, captured into memory
 * (no file). The help and arguments; the work is in analyze/live.ts and analyze/top-live.ts.
 */
import { UsageError } from '../../src/base/errors.ts';
import type { Command } from '../command.ts';
import {
  captureControlOf,
  examplesText,
  formatChoices,
  pidOf,
  withCaptureControl,
  withColor,
  withDebug,
  withPid,
  type ColorChoice,
  type FormatChoice,
} from './options.ts';

const liveGuide = `How it works: each report is one capture (as gospy capture) held in memory, never written to
disk. By default (--mode goroutines) only what goroutine reports read is copied: the Ms, allgs,
every g struct and the goroutine stacks, so the pause grows with the goroutines, not the heap
(about 20 ms for 10k goroutines on a 2-CPU VM, whatever the heap). --mode full copies all resident
memory (about 0.15 s per GiB); it is also used, with a warning, when goroutines mode cannot read the
binary. The measured pause is printed on stderr (summary) or in the header line (top).
--nonblocking never stops the process, at the price of possibly torn data.

Permissions: as for gospy capture: root or CAP_SYS_PTRACE (Docker: --cap-add SYS_PTRACE;
Kubernetes: kubectl debug -it POD --image=IMAGE --target=CONTAINER --profile=general).

Exit codes as for analyze; 1 also when the process does not exist, exits during the capture, is
not a Go program, or may not be traced.`;

const summaryDescribe = 'Capture a running Go process into memory (no file) and print the summary report';

export const summaryCommand: Command = {
  name: 'summary',
  syntax: 'summary',
  describe: summaryDescribe,
  build: (y) =>
    withDebug(
      withCaptureControl(
        withColor(
          withPid(y.usage(`$0 summary --pid N [options]\n\n${summaryDescribe}.`), 'the running process to report on')
            .option('all', { type: 'boolean', default: false, describe: 'include system goroutines' })
            .option('format', { choices: formatChoices, default: 'text' as FormatChoice, describe: 'text for people, json for programs' }),
          'colour the text report',
        ),
        'goroutines',
      ),
    ).epilogue(
      `${examplesText([
        ['gospy summary --pid 1234', 'what every goroutine of process 1234 is doing now'],
        ['gospy summary --pid $(pidof server) --format json', 'the same as a JSON document'],
      ])}\n\n${liveGuide}`,
    ),
  prepare(parsed) {
    const args = {
      pid: pidOf(parsed),
      ...captureControlOf(parsed),
      all: parsed['all'] === true,
      format: parsed['format'] as FormatChoice,
      color: parsed['color'] as ColorChoice,
    };
    return async (session) => {
      const { runLiveSummary } = await import('../live.ts');
      await runLiveSummary({ ...args, color: args.format === 'text' && session.wantColor(args.color) }, session);
    };
  },
};

const topDescribe = 'Live view of a running Go process: goroutines per function, refreshed like py-spy top';

const topGuide = `The view: a header with the pid, the goroutine and group counts, the pause of the last capture and
the time, then goroutines grouped by their first non-runtime function (as --report top), largest
group first. It refreshes every --rate seconds. Keys: q (or Ctrl-C) quits and restores the
terminal. When stdout is not a terminal (a pipe, a file), it prints one frame and exits 0.

${liveGuide}`;

export const topCommand: Command = {
  name: 'top',
  syntax: 'top',
  describe: topDescribe,
  build: (y) =>
    withDebug(
      withCaptureControl(
        withColor(
          withPid(y.usage(`$0 top --pid N [options]\n\n${topDescribe}.`), 'the running process to watch')
            .option('rate', { type: 'number', default: 1, requiresArg: true, describe: 'seconds between refreshes' })
            .option('all', { type: 'boolean', default: false, describe: 'include system goroutines' }),
          'colour the view',
        ),
        'goroutines',
      ),
    ).epilogue(
      `${examplesText([
        ['gospy top --pid 1234', 'watch where the goroutines of process 1234 pile up; q quits'],
        ['gospy top --pid 1234 --rate 5', 'refresh every 5 seconds'],
        ['gospy top --pid 1234 | cat', 'one frame, for scripts'],
      ])}\n\n${topGuide}`,
    ),
  prepare(parsed) {
    const rate = parsed['rate'];
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0.1 || rate > 3600) {
      throw new UsageError(`--rate must be a number of seconds between 0.1 and 3600, not '${String(rate)}'`);
    }
    const args = {
      pid: pidOf(parsed),
      ...captureControlOf(parsed),
      rate,
      all: parsed['all'] === true,
      color: parsed['color'] as ColorChoice,
    };
    return async (session) => {
      const { runLiveTop } = await import('../top-live.ts');
      await runLiveTop({ ...args, color: session.wantColor(args.color) }, session);
    };
  },
};
