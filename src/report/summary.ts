/**
 * The default report: what was read and how far to trust it, thread and goroutine counts, then one
 * line per goroutine with where it is (its user-level frame).
 *
 * Warnings are not part of the text unless `warnings: true`: the CLI prints them to stderr as
 * `gospy: warning: …` so that stdout stays the report alone.
 */
import type { Goroutine, ProcessModel } from '../runtime/model.ts';
import { plainStyle, selectedGoroutines, statusText, userFrame, type Style } from './common.ts';

export interface SummaryOptions {
  /** Also list system goroutines (hidden by default, as the runtime hides them). */
  readonly all: boolean;
  readonly style?: Style | undefined;
  /** Append `warning: …` lines at the end (library use; the CLI leaves this off). */
  readonly warnings?: boolean | undefined;
}

/** Longest state column before it stops stretching the table for one outlier. */
const maxStateWidth = 40;

export function* formatSummary(model: ProcessModel, opts: SummaryOptions): Iterable<string> {
  const style = opts.style ?? plainStyle;
  const head: [string, string][] = [];
  const foundBy: Record<string, string> = {
    nt_file: " (found from the core's file mappings)",
    prpsinfo: " (found from the core's process name)",
    'beside-core': ' (found next to the core)',
    snapshot: ' (from the snapshot)',
  };
  head.push(['executable', `${model.executable}${foundBy[model.executableFoundBy] ?? ''}`]);
  head.push(['go', goLine(model)]);
  head.push([
    'read using',
    `layouts: ${model.provenance.layouts}; symbols: ${model.provenance.symbols}; wait reasons: ${model.provenance.waitReasons}`,
  ]);
  const pid = model.input.pid === undefined ? '' : ` (pid ${model.input.pid})`;
  head.push(['input', `${model.input.kind} ${model.input.path}${pid}`]);
  head.push(['threads', threadsLine(model)]);
  head.push(['goroutines', goroutinesLine(model.goroutines)]);
  if (model.clock === undefined) {
    head.push(['wait times', 'unknown: no clock reading, so no "N min" durations']);
  } else if (model.clock.estimated) {
    head.push(['wait times', `estimated from ${model.clock.source}; durations are lower bounds`]);
  }
  const keyWidth = Math.max(...head.map(([k]) => k.length)) + 1;
  yield head.map(([k, v]) => `${style.bold(`${k}:`.padEnd(keyWidth))} ${v}\n`).join('');

  // Pass 1: column widths (O(n), no per-goroutine strings kept).
  let idWidth = 2;
  let stateWidth = 5;
  let shown = 0;
  for (const g of selectedGoroutines(model.goroutines, opts.all)) {
    idWidth = Math.max(idWidth, String(g.id).length);
    stateWidth = Math.max(stateWidth, Math.min(maxStateWidth, stateColumn(g).length));
    shown++;
  }
  if (shown > 0) {
    yield `\n  ${style.dim(`${'ID'.padStart(idWidth)}  ${'STATE'.padEnd(stateWidth)}  WHERE`)}\n`;
    // Pass 2: one line per goroutine, yielded in batches.
    let batch = '';
    let n = 0;
    for (const g of selectedGoroutines(model.goroutines, opts.all)) {
      const state = stateColumn(g);
      const pad = state.length < stateWidth ? ' '.repeat(stateWidth - state.length) : '';
      batch += `  ${String(g.id).padStart(idWidth)}  ${colourState(g, state, style)}${pad}  ${whereColumn(g, style, model.goroot)}\n`;
      if (++n % 512 === 0) {
        yield batch;
        batch = '';
      }
    }
    if (batch !== '') yield batch;
  }
  const hidden = opts.all ? 0 : model.goroutines.length - shown;
  if (hidden > 0) {
    yield `\n${style.dim(`(${hidden} system goroutine${hidden === 1 ? '' : 's'} not shown; --all shows them)`)}\n`;
  }
  if (opts.warnings === true && model.warnings.length > 0) {
    yield `\n${model.warnings.map((w) => `${style.yellow('warning:')} ${w.message}\n`).join('')}`;
  }
}

function goLine(model: ProcessModel): string {
  const parts = [`${model.goVersion} linux/${model.arch}`];
  const bi = model.buildInfo;
  if (bi?.path !== undefined) parts.push(`path ${bi.path}`);
  if (bi?.mainModule !== undefined) {
    parts.push(`module ${bi.mainModule}${bi.mainVersion === undefined ? '' : ` ${bi.mainVersion}`}`);
  }
  return parts.join(', ');
}

/** `a 3, b 2` sorted by count descending, then name. */
export function countList(counts: ReadonlyMap<string, number>, sep = ' '): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}${sep}${v}`)
    .join(', ');
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function threadsLine(model: ProcessModel): string {
  const roles = new Map<string, number>();
  const states = new Map<string, number>();
  for (const t of model.threads) {
    bump(roles, t.role);
    if (t.state !== undefined) bump(states, t.state);
  }
  let s = `${model.threads.length}`;
  if (roles.size > 0) s += `: ${countList(roles)}`;
  if (states.size > 0) s += `; kernel state ${countList(states)}`;
  return s;
}

function goroutinesLine(goroutines: readonly Goroutine[]): string {
  const statuses = new Map<string, number>();
  const reasons = new Map<string, number>();
  let system = 0;
  for (const g of goroutines) {
    bump(statuses, g.status);
    if (g.status === 'waiting') bump(reasons, g.waitReason === '' ? '?' : g.waitReason);
    if (g.system) system++;
  }
  let s = `${goroutines.length}`;
  if (system > 0) s += ` (${system} system)`;
  if (statuses.size > 0) {
    s += `: ${[...statuses]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => (k === 'waiting' ? `${k} ${v} (${countList(reasons)})` : `${k} ${v}`))
      .join(', ')}`;
  }
  return s;
}

/** `chan receive, 12 min, locked`. */
export function stateColumn(g: Goroutine): string {
  let s = statusText(g);
  if (g.waitMinutes !== undefined && g.waitMinutes >= 1) s += `, ${Math.trunc(g.waitMinutes)} min`;
  if (g.lockedToThread) s += ', locked';
  return s;
}

function colourState(g: Goroutine, text: string, style: Style): string {
  switch (g.status) {
    case 'running':
      return style.green(text);
    case 'runnable':
      return style.cyan(text);
    case 'syscall':
    case 'waiting':
    case 'leaked':
      return style.yellow(text);
    default:
      return text;
  }
}

/** `function (file:line)`, or why there is no frame. */
export function whereColumn(g: Goroutine, style: Style = plainStyle, goroot?: string): string {
  const where = whereText(g, style, goroot);
  return g.torn ? `${where} ${style.dim('[torn: changed while copied]')}` : where;
}

function whereText(g: Goroutine, style: Style, goroot: string | undefined): string {
  const f = userFrame(g, goroot);
  if (f === undefined) {
    if (g.status === 'running' && !g.fromRegisters) return style.dim('(running on another thread; stack unavailable)');
    return style.dim(`(no stack${g.unwindError === undefined ? '' : `: ${g.unwindError}`})`);
  }
  const partial = g.unwindError === undefined ? '' : style.dim(` [stack cut short: ${g.unwindError}]`);
  return `${f.function} ${style.dim(`(${f.file}:${f.line})`)}${partial}`;
}
