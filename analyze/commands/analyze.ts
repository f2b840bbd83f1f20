/** `gospy analyze FILE`: the help and arguments; the work is in analyze/analyze-report.ts. */
import type { AnalyzeArgs } from '../analyze-report.ts';
import type { Command } from '../command.ts';
import type { ReportKind } from '../../src/report/json.ts';
import {
  examplesText,
  exitCodesText,
  formatChoices,
  reportChoices,
  withColor,
  withDebug,
  type ColorChoice,
  type FormatChoice,
} from './options.ts';

const describe = 'List every goroutine of a Go program from a core file or gospy snapshot';

export const analyzeGuide = `Reports (--report):
  summary  (default) what gospy read and how (Go version, layouts, symbols), thread and goroutine
           counts by status and wait reason, then one line per goroutine: id, state, and the first
           frame outside the runtime ("where is it stuck").
  stacks   the goroutine dump the Go runtime itself prints (runtime.Stack(buf, true)), byte for
           byte, so panicparse, gostackparse and your eyes read it as usual. With --all: also
           system goroutines and runtime frames (like GOTRACEBACK=system).
  top      goroutines grouped by that first non-runtime function: count, share and status mix,
           largest group first. Answers "where are my 100k goroutines".

Getting a core:
  From a live process, without stopping it for long (gdb's gcore):
      gcore -o core $(pidof server)                   # writes core.<pid>
  From the kernel when the program crashes (Go only dumps core with GOTRACEBACK=crash):
      ulimit -c unlimited; GOTRACEBACK=crash ./server  # then kill -QUIT <pid> to force one
  Keep the exact executable that produced the core; pass it with --exe when it is not at the path
  the core records.

Output: the report on stdout; warnings ("gospy: warning: …") and progress on stderr. --format json
writes one versioned document (schema gospy.analyze/v1, see docs/json.md) for any report.
Colour only when stdout is a terminal, unless --color says otherwise; NO_COLOR is honoured.

${exitCodesText}`;

const examples = examplesText([
  ['gospy analyze core.1234', 'summary (the executable is found at the path the core records)'],
  ['gospy analyze core.1234 --exe ./server --report stacks', 'the goroutine dump the Go runtime would print'],
  ['gospy analyze core.1234 --report top', 'where the goroutines pile up'],
  ["gospy analyze core.1234 --format json | jq '.goroutines[0]'", 'for programs (docs/json.md)'],
]);

/** Options of analyze that take no value; every other `--name` without `=` takes the next word. */
const flags = new Set(['--all', '--debug', '--help', '-h', '--version', '--no-all', '--no-debug']);

/** The bare words of an analyze command line (after `analyze`): FILE, and any the user added. */
export function analyzePositionals(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i + 1)];
    if (!a.startsWith('-')) out.push(a);
    else if (!a.includes('=') && !flags.has(a)) i++;
  }
  return out;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  syntax: 'analyze <file>',
  describe,
  build: (y) =>
    withDebug(
      withColor(
        y
          .usage(`$0 analyze FILE [options]\n\n${describe}.`)
          .positional('file', { type: 'string', describe: 'core file (gcore, kernel core) or gospy snapshot' })
          .option('exe', { type: 'string', requiresArg: true, describe: 'the Go executable that produced FILE (default: the path FILE records)' })
          .option('report', { choices: reportChoices, default: 'summary' as ReportKind, describe: 'what to show (see below)' })
          .option('all', { type: 'boolean', default: false, describe: 'include system goroutines and runtime frames' })
          .option('format', { choices: formatChoices, default: 'text' as FormatChoice, describe: 'text for people, json for programs' }),
        'colour the text report',
      ),
    ).epilogue(`${examples}\n\n${analyzeGuide}`),
  prepare(parsed) {
    const exe = parsed['exe'];
    const args: AnalyzeArgs = {
      file: String(parsed['file']),
      exe: typeof exe === 'string' ? exe : undefined,
      report: parsed['report'] as ReportKind,
      all: parsed['all'] === true,
      format: parsed['format'] as FormatChoice,
      color: parsed['color'] as ColorChoice,
    };
    return async (session) => {
      const { runAnalyze } = await import('../analyze-report.ts');
      await runAnalyze(args, session);
    };
  },
};
