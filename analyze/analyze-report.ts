/**
 * `gospy analyze FILE`: open the core or snapshot, read its process model, write the report asked for.
 * Loaded by analyze/commands/analyze.ts when the command runs.
 */
import { stat } from 'node:fs/promises';
import { MissingInputError } from '../src/base/errors.ts';
import { styleFor } from '../src/report/common.ts';
import { formatJson } from '../src/report/json.ts';
import { formatSummary } from '../src/report/summary.ts';
import { formatTop } from '../src/report/top.ts';
import { formatTraceback } from '../src/report/traceback.ts';
import type { ReportKind } from '../src/report/json.ts';
import type { ColorChoice, FormatChoice, OpenModel, Session } from './session.ts';

/** What `gospy analyze` was asked for (analyze/commands/analyze.ts parses it). */
export interface AnalyzeArgs {
  readonly file: string;
  readonly exe: string | undefined;
  readonly report: ReportKind;
  readonly all: boolean;
  readonly format: FormatChoice;
  readonly color: ColorChoice;
}

export async function runAnalyze(args: AnalyzeArgs, session: Session): Promise<void> {
  await checkReadable(args.file, 'input file', 'name a core file (from gcore or a kernel core dump) or a gospy snapshot');
  if (args.exe !== undefined) {
    await checkReadable(args.exe, 'executable', 'pass the Go executable that produced the core, e.g. --exe ./server');
  }
  const openModel = session.io.openModel ?? (await loadOpenModel());
  const model = await openModel(args.file, {
    ...(args.exe === undefined ? {} : { exe: args.exe }),
    onProgress: (msg) => session.progress.show(msg),
    // Argument text is read only by the reports that print it (a large share of the walk at scale).
    frameArgs: args.format === 'json' || args.report === 'stacks',
  });
  const style = styleFor(args.format === 'text' && session.wantColor(args.color));
  let chunks: Iterable<string>;
  if (args.format === 'json') chunks = formatJson(model, { report: args.report, all: args.all });
  else if (args.report === 'stacks') chunks = formatTraceback(model, { all: args.all, style });
  else if (args.report === 'top') chunks = formatTop(model, { all: args.all, style });
  else chunks = formatSummary(model, { all: args.all, style });
  await session.report(chunks);
  await session.warn(model.warnings);
}

/** Loaded on first use: tests pass their own. */
async function loadOpenModel(): Promise<OpenModel> {
  return (await import('../src/runtime/open-model.ts')).openModel;
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
