/**
 * The gospy CLI: argument parsing (yargs), the error boundary and exit codes (house H6), and output.
 * Only this layer prints, reads argv or decides exit codes; src/ stays pure.
 *
 * Exit codes: 0 ok (also when the reader of stdout goes away, e.g. `| head`), 1 bad or missing input
 * (format, mismatch, not-go, truncated, missing-input, unmapped), 2 usage, 3 unsupported,
 * 70 internal error (a gospy bug).
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import yargs from 'yargs';
import { GospyError, MissingInputError, UsageError } from '../src/base/errors.ts';
import type { ProcessModel } from '../src/runtime/model.ts';
import { styleFor } from '../src/report/common.ts';
import { formatJson, type ReportKind } from '../src/report/json.ts';
import { formatSummary } from '../src/report/summary.ts';
import { formatTop } from '../src/report/top.ts';
import { formatTraceback } from '../src/report/traceback.ts';
import { isClosedPipe, writeChunks, type OutStream } from './output.ts';
import { captureDescription, captureEpilogue, captureModes, type CaptureArgs } from '../capture/main.ts';
import type { ExportArgs } from './export.ts';

/** `analyzeFile` of src/runtime/analyze-file.ts. */
export type AnalyzeFile = (path: string, opts: { exe?: string; onProgress?: (msg: string) => void; frameArgs?: boolean }) => Promise<ProcessModel>;

/** Everything the CLI touches outside itself, so tests can run `main` in-process. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Defaults to src/runtime/analyze-file.ts's analyzeFile, loaded on first use. */
  readonly analyzeFile?: AnalyzeFile | undefined;
}

export const exitOk = 0;
export const exitInput = 1;
export const exitUsage = 2;
export const exitUnsupported = 3;
export const exitInternal = 70;

const reports = ['summary', 'stacks', 'top'] as const;
const formats = ['text', 'json'] as const;
const colors = ['auto', 'always', 'never'] as const;

interface AnalyzeArgs {
  readonly file: string;
  readonly exe: string | undefined;
  readonly report: ReportKind;
  readonly all: boolean;
  readonly format: (typeof formats)[number];
  readonly color: (typeof colors)[number];
  readonly debug: boolean;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  const progress = new Progress(io.stderr);
  try {
    const parsed = await parse(argv);
    if (parsed.kind === 'text') {
      await writeChunks(io.stdout, [parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`]);
      return exitOk;
    }
    if (parsed.kind === 'summary-live') {
      // Loaded lazily, like capture: the FFI bindings are needed only for live reports.
      const { runLiveSummary } = await import('./live.ts');
      const { color, ...rest } = parsed.args;
      await runLiveSummary({ ...rest, color: rest.format === 'text' && wantColor(color, io) }, io);
      return exitOk;
    }
    if (parsed.kind === 'top-live') {
      const { runLiveTop } = await import('./top-live.ts');
      const { color, ...rest } = parsed.args;
      await runLiveTop({ ...rest, color: wantColor(color, io) }, io);
      return exitOk;
    }
    if (parsed.kind === 'capture') {
      // Loaded lazily: the capture's FFI bindings (koffi) are needed only here.
      const { runCapture } = await import('../capture/main.ts');
      await runCapture(parsed.args, io);
      return exitOk;
    }
    if (parsed.kind === 'export') {
      const { runExport } = await import('./export.ts');
      await runExport(parsed.args, io);
      return exitOk;
    }
    await analyze(parsed.args, io, progress);
    return exitOk;
  } catch (err) {
    progress.clear();
    if (isClosedPipe(err)) return exitOk;
    return reportError(err, debug, io.stderr);
  }
}

async function analyze(args: AnalyzeArgs, io: CliIo, progress: Progress): Promise<void> {
  await checkReadable(args.file, 'input file', 'name a core file (from gcore or a kernel core dump) or a gospy snapshot');
  if (args.exe !== undefined) {
    await checkReadable(args.exe, 'executable', 'pass the Go executable that produced the core, e.g. --exe ./server');
  }
  const analyzeFile = io.analyzeFile ?? (await loadAnalyzeFile());
  const model = await analyzeFile(args.file, {
    ...(args.exe === undefined ? {} : { exe: args.exe }),
    onProgress: (msg) => progress.show(msg),
    frameArgs: args.format === 'json' || args.report === 'stacks',
  });
  progress.clear();
  const color = args.format === 'text' && wantColor(args.color, io);
  const style = styleFor(color);
  let chunks: Iterable<string>;
  if (args.format === 'json') chunks = formatJson(model, { report: args.report, all: args.all });
  else if (args.report === 'stacks') chunks = formatTraceback(model, { all: args.all, style });
  else if (args.report === 'top') chunks = formatTop(model, { all: args.all, style });
  else chunks = formatSummary(model, { all: args.all, style });
  await writeChunks(io.stdout, chunks);
  // Warnings go to stderr (after the report, where a terminal user sees them last); JSON carries
  // them in the document too.
  if (model.warnings.length > 0) {
    await writeChunks(io.stderr, model.warnings.map((w) => `gospy: warning: ${w.message}\n`));
  }
}

/** Loaded lazily so `--help` works (and is fast) without the analyzer. */
async function loadAnalyzeFile(): Promise<AnalyzeFile> {
  const mod = await import('../src/runtime/analyze-file.ts');
  return mod.analyzeFile;
}

async function checkReadable(path: string, what: string, hint: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code || String(err);
    throw new MissingInputError(path, `cannot open ${what} ${path}: ${why}`, { hint, cause: err });
  }
  if (st.isDirectory()) throw new MissingInputError(path, `${what} ${path} is a directory`, { hint });
}

function wantColor(flag: (typeof colors)[number], io: CliIo): boolean {
  if (flag === 'always') return true;
  if (flag === 'never') return false;
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true;
}

// ---- arguments ------------------------------------------------------------------------------

const analyzeDescription = 'List every goroutine of a Go program from a core file or gospy snapshot';

const epilogue = `Reports (--report):
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

Exit codes:
  0   report written (also when the reader of stdout stops early, e.g. | head)
  1   the input cannot be used: missing or unreadable file, not a Go program, corrupt or truncated
      core, core and executable that do not belong together
  2   bad command line
  3   valid input gospy does not support (Go version, architecture)
  70  internal error: a gospy bug; re-run with --debug and report the stack trace`;

interface LiveArgs {
  readonly pid: number;
  readonly mode: CaptureArgs['mode'];
  readonly all: boolean;
  readonly color: (typeof colors)[number];
  readonly nonblocking: boolean;
  readonly stopDeadlineMs: number | undefined;
}

const summaryLiveDescription = 'Capture a running Go process into memory (no file) and print the summary report';
const topLiveDescription = 'Live view of a running Go process: goroutines per function, refreshed like py-spy top';

const liveEpilogue = `How it works: each report is one capture (as gospy capture) held in memory, never written to
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

const topLiveEpilogue = `The view: a header with the pid, the goroutine and group counts, the pause of the last capture and
the time, then goroutines grouped by their first non-runtime function (as --report top), largest
group first. It refreshes every --rate seconds. Keys: q (or Ctrl-C) quits and restores the
terminal. When stdout is not a terminal (a pipe, a file), it prints one frame and exits 0.

${liveEpilogue}`;

type Parsed =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'summary-live'; readonly args: LiveArgs & { readonly format: (typeof formats)[number] } }
  | { readonly kind: 'top-live'; readonly args: LiveArgs & { readonly rate: number } }
  | { readonly kind: 'analyze'; readonly args: AnalyzeArgs }
  | { readonly kind: 'capture'; readonly args: CaptureArgs }
  | { readonly kind: 'export'; readonly args: ExportArgs };

const exportDescription = 'Write a gospy snapshot as an ELF core (for dlv core, gdb) and/or its executable';

const exportEpilogue = `The core has one NT_PRSTATUS per stopped thread (the first is the thread the capture listed
first), NT_PRPSINFO, NT_AUXV, NT_FILE naming only the executable's mappings (delve maps every
NT_FILE entry onto the executable), and one PT_LOAD per captured run of memory; mappings with
nothing captured get a PT_LOAD with no file bytes. Open it with the executable written by --exe:
    gospy export snap.gsz --core snap.core --exe snap.exe
    dlv core snap.exe snap.core          # or: gdb snap.exe snap.core
Outputs are written 0600, atomically, and never over an existing file without --force.`;

async function parse(argv: string[]): Promise<Parsed> {
  let output = '';
  const parser = yargs()
    .scriptName('gospy')
    .usage('$0 <command> [options]\n\nWhat is every goroutine doing, and why is it stuck? Reads Go cores and gospy snapshots offline.')
    .command('analyze <file>', analyzeDescription, (y) =>
      y
        .usage(`$0 analyze FILE [options]\n\n${analyzeDescription}.`)
        .positional('file', { type: 'string', describe: 'core file (gcore, kernel core) or gospy snapshot' })
        .option('exe', { type: 'string', describe: 'the Go executable that produced FILE (default: the path FILE records)' })
        .option('report', { choices: reports, default: 'summary' as const, describe: 'what to show (see below)' })
        .option('all', { type: 'boolean', default: false, describe: 'include system goroutines and runtime frames' })
        .option('format', { choices: formats, default: 'text' as const, describe: 'text for people, json for programs' })
        .option('color', { choices: colors, default: 'auto' as const, describe: 'colour the text report' })
        .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
        .example('$0 analyze core.1234', 'summary (executable found at its recorded path)')
        .example('$0 analyze core.1234 --exe ./server --report stacks', 'the runtime-style dump')
        .example('$0 analyze core.1234 --report top', 'where goroutines pile up')
        .example("$0 analyze core.1234 --format json | jq '.goroutines[0]'", 'for programs')
        .epilogue(epilogue),
    )
    .command('capture', captureDescription, (y) =>
      y
        .usage(`$0 capture --pid N -o FILE [options]\n\n${captureDescription}.`)
        .option('pid', { type: 'number', demandOption: true, describe: 'the process to capture (as the host sees it)' })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the snapshot to write (.gsz)' })
        .option('force', { type: 'boolean', default: false, describe: 'replace FILE if it exists' })
        .option('mode', { choices: captureModes, default: 'full' as const, describe: 'what to copy (see below)' })
        .option('nonblocking', { type: 'boolean', default: false, describe: 'never stop the target (memory may be torn)' })
        .option('stop-deadline', { type: 'number', default: 200, describe: 'ms to wait for threads to stop' })
        .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
        .example('$0 capture --pid 1234 -o server.gsz', 'then: gospy analyze server.gsz --report stacks')
        .epilogue(captureEpilogue),
    )
    .command('summary', summaryLiveDescription, (y) =>
      y
        .usage(`$0 summary --pid N [options]\n\n${summaryLiveDescription}.`)
        .option('pid', { type: 'number', demandOption: true, describe: 'the running process to report on' })
        .option('all', { type: 'boolean', default: false, describe: 'include system goroutines' })
        .option('format', { choices: formats, default: 'text' as const, describe: 'text for people, json for programs' })
        .option('color', { choices: colors, default: 'auto' as const, describe: 'colour the text report' })
        .option('mode', { choices: captureModes, default: 'goroutines' as const, describe: 'what to copy (see below)' })
        .option('nonblocking', { type: 'boolean', default: false, describe: 'never stop the target (data may be torn)' })
        .option('stop-deadline', { type: 'number', default: 200, describe: 'ms to wait for threads to stop' })
        .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
        .example('$0 summary --pid 1234', 'what every goroutine of process 1234 is doing now')
        .example('$0 summary --pid $(pidof server) --format json', 'the same as a JSON document')
        .epilogue(liveEpilogue),
    )
    .command('top', topLiveDescription, (y) =>
      y
        .usage(`$0 top --pid N [options]\n\n${topLiveDescription}.`)
        .option('pid', { type: 'number', demandOption: true, describe: 'the running process to watch' })
        .option('rate', { type: 'number', default: 1, describe: 'seconds between refreshes' })
        .option('all', { type: 'boolean', default: false, describe: 'include system goroutines' })
        .option('color', { choices: colors, default: 'auto' as const, describe: 'colour the view' })
        .option('mode', { choices: captureModes, default: 'goroutines' as const, describe: 'what to copy (see below)' })
        .option('nonblocking', { type: 'boolean', default: false, describe: 'never stop the target (data may be torn)' })
        .option('stop-deadline', { type: 'number', default: 200, describe: 'ms to wait for threads to stop' })
        .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
        .example('$0 top --pid 1234', 'watch where the goroutines of process 1234 pile up; q quits')
        .example('$0 top --pid 1234 --rate 5', 'refresh every 5 seconds')
        .example('$0 top --pid 1234 | cat', 'one frame, for scripts')
        .epilogue(topLiveEpilogue),
    )
    .command('export <file>', exportDescription, (y) =>
      y
        .usage(`$0 export FILE.gsz --core OUT [--exe OUT] [options]\n\n${exportDescription}.`)
        .positional('file', { type: 'string', describe: 'a gospy snapshot (.gsz)' })
        .option('core', { type: 'string', describe: 'write an ELF core of the snapshot here' })
        .option('exe', { type: 'string', describe: 'write the executable embedded in the snapshot here' })
        .option('force', { type: 'boolean', default: false, describe: 'replace outputs that exist' })
        .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
        .example('$0 export server.gsz --core server.core --exe server', 'then: dlv core server server.core')
        .epilogue(exportEpilogue),
    )
    .example('$0 analyze core.1234', 'summary of every goroutine in core.1234')
    .example('$0 analyze core.1234 --report stacks', 'the goroutine dump the Go runtime would print')
    .example('$0 capture --pid 1234 -o server.gsz', 'snapshot a running Go process')
    .example('$0 summary --pid 1234', 'summary of a running process, no file written')
    .example('$0 top --pid 1234', 'live view of a running process (q quits)')
    .example('$0 analyze --help', 'all options, reports and exit codes')
    .epilogue(epilogue)
    .demandCommand(1, 'name a command: gospy analyze FILE')
    .strict()
    .version(packageVersion())
    .help()
    .alias('h', 'help')
    .wrap(100)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err !== undefined && err !== null) throw err;
      throw usageError(msg, argv);
    });
  const result = await parser.parseAsync(argv, {}, (_err, _argv, out) => {
    output = out;
  });
  if (result['help'] === true || result['version'] === true) return { kind: 'text', text: output };
  if (result._[0] === 'summary' || result._[0] === 'top') {
    const pid = result['pid'];
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw usageError(`--pid must be a process id, not ${String(pid)}`, argv);
    const live: LiveArgs = {
      pid,
      mode: result['mode'] as LiveArgs['mode'],
      all: result['all'] === true,
      color: result['color'] as LiveArgs['color'],
      nonblocking: result['nonblocking'] === true,
      stopDeadlineMs: typeof result['stop-deadline'] === 'number' ? result['stop-deadline'] : undefined,
    };
    if (result._[0] === 'summary') {
      return { kind: 'summary-live', args: { ...live, format: result['format'] as (typeof formats)[number] } };
    }
    const rate = result['rate'];
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0.1 || rate > 3600) {
      throw usageError(`--rate must be a number of seconds between 0.1 and 3600, not ${String(rate)}`, argv);
    }
    return { kind: 'top-live', args: { ...live, rate } };
  }
  if (result._[0] === 'capture') {
    const pid = result['pid'];
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw usageError(`--pid must be a process id, not ${String(pid)}`, argv);
    return {
      kind: 'capture',
      args: {
        pid,
        output: String(result['output']),
        force: result['force'] === true,
        mode: result['mode'] as CaptureArgs['mode'],
        nonblocking: result['nonblocking'] === true,
        stopDeadlineMs: typeof result['stop-deadline'] === 'number' ? result['stop-deadline'] : undefined,
      },
    };
  }
  if (result._[0] === 'export') {
    const core = result['core'];
    const exe = result['exe'];
    return {
      kind: 'export',
      args: {
        file: String(result['file']),
        core: typeof core === 'string' ? core : undefined,
        exe: typeof exe === 'string' ? exe : undefined,
        force: result['force'] === true,
      },
    };
  }
  if (result._[0] !== 'analyze') throw usageError(`unknown command: ${String(result._[0])}`, argv);
  return {
    kind: 'analyze',
    args: {
      file: String(result['file']),
      exe: typeof result['exe'] === 'string' ? result['exe'] : undefined,
      report: result['report'] as ReportKind,
      all: result['all'] === true,
      format: result['format'] as AnalyzeArgs['format'],
      color: result['color'] as AnalyzeArgs['color'],
      debug: result['debug'] === true,
    },
  };
}

function usageError(msg: string, argv: string[]): UsageError {
  const text = msg.replace(/\s*\n\s*/g, ' ').trim();
  const first = argv[0];
  const hint =
    first !== undefined && !first.startsWith('-') && !['analyze', 'capture', 'summary', 'top'].includes(first)
      ? `the command comes first: gospy analyze ${first}`
      : `run gospy ${first === 'capture' || first === 'summary' || first === 'top' ? first : 'analyze'} --help for options, examples and exit codes`;
  return new UsageError(text.charAt(0).toLowerCase() + text.slice(1), { hint });
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---- errors ---------------------------------------------------------------------------------

/** Exit code for an error that reached the boundary. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof GospyError)) return exitInternal;
  switch (err.code) {
    case 'usage':
      return exitUsage;
    case 'unsupported':
      return exitUnsupported;
    default:
      return exitInput;
  }
}

function reportError(err: unknown, debug: boolean, stderr: OutStream): number {
  const lines: string[] = [];
  if (err instanceof GospyError) {
    lines.push(`gospy: ${err.message}`);
    if (err.hint !== undefined) lines.push(`hint: ${err.hint}`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    lines.push(`gospy: internal error: ${message.split('\n')[0]}${debug ? '' : ' (re-run with --debug for a stack trace)'}`);
  }
  if (debug && err instanceof Error && err.stack !== undefined) lines.push(err.stack);
  try {
    stderr.write(`${lines.join('\n')}\n`);
  } catch {
    // stderr gone too: nothing left to tell.
  }
  return exitCodeFor(err);
}

// ---- progress -------------------------------------------------------------------------------

/** One self-overwriting status line on stderr, only when stderr is a terminal. */
class Progress {
  private shown = false;
  private readonly stream: OutStream;
  constructor(stream: OutStream) {
    this.stream = stream;
  }
  show(msg: string): void {
    if (this.stream.isTTY !== true) return;
    this.stream.write(`\r\u001b[Kgospy: ${msg}`);
    this.shown = true;
  }
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\u001b[K');
    this.shown = false;
  }
}

function processIo(): CliIo {
  // A reader that goes away after our last write makes stdout emit EPIPE later, when no writer is
  // listening; without a listener that would crash the process with a stack trace.
  process.stdout.on('error', (err) => {
    if (!isClosedPipe(err)) throw err;
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
