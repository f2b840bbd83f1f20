/**
 * Goroutines grouped by the function of their user-level frame ("where are they all stuck"):
 * count, share and status mix, largest group first. One pass with a Map: O(n) in goroutines.
 */
import { table, getBorderCharacters } from 'table';
import type { ProcessModel } from '../runtime/model.ts';
import { plainStyle, selectedGoroutines, statusText, userFrame, type Style } from './common.ts';

export interface TopBucket {
  /** Function of the user-level frame, or `(no stack)` / `(running on another thread)`. */
  readonly function: string;
  /** file:line of the first goroutine seen in the bucket (a representative, not a key). */
  readonly location: string | undefined;
  readonly count: number;
  /** count / goroutines considered, 0..1. */
  readonly share: number;
  /** Status text (wait reason for waiting goroutines) → count, count descending then name. */
  readonly statuses: readonly { readonly status: string; readonly count: number }[];
}

export interface TopOptions {
  readonly all: boolean;
  readonly style?: Style | undefined;
}

export const noStackBucket = '(no stack)';
export const otherThreadBucket = '(running on another thread)';

export function topBuckets(model: ProcessModel, opts: { readonly all: boolean }): { total: number; buckets: TopBucket[] } {
  const byFunction = new Map<string, { location: string | undefined; count: number; statuses: Map<string, number> }>();
  let total = 0;
  for (const g of selectedGoroutines(model.goroutines, opts.all)) {
    total++;
    const f = userFrame(g, model.goroot);
    const key = f?.function ?? (g.status === 'running' && !g.fromRegisters ? otherThreadBucket : noStackBucket);
    let b = byFunction.get(key);
    if (b === undefined) {
      b = { location: f === undefined ? undefined : `${f.file}:${f.line}`, count: 0, statuses: new Map() };
      byFunction.set(key, b);
    }
    b.count++;
    const st = statusText(g);
    b.statuses.set(st, (b.statuses.get(st) ?? 0) + 1);
  }
  const buckets: TopBucket[] = [];
  for (const [fn, b] of byFunction) {
    buckets.push({
      function: fn,
      location: b.location,
      count: b.count,
      share: total === 0 ? 0 : b.count / total,
      statuses: [...b.statuses]
        .sort((x, y) => y[1] - x[1] || compare(x[0], y[0]))
        .map(([status, count]) => ({ status, count })),
    });
  }
  buckets.sort((x, y) => y.count - x.count || compare(x.function, y.function));
  return { total, buckets };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `chan receive×120, select×3`. */
export function statusMix(b: TopBucket): string {
  return b.statuses.map((s) => `${s.status}×${s.count}`).join(', ');
}

/** Share as a percentage with one decimal, `<0.1%` for tiny non-zero shares. */
export function percent(share: number): string {
  if (share > 0 && share < 0.0005) return '<0.1%';
  return `${(share * 100).toFixed(1)}%`;
}

export function* formatTop(model: ProcessModel, opts: TopOptions): Iterable<string> {
  const style = opts.style ?? plainStyle;
  const { total, buckets } = topBuckets(model, opts);
  const hidden = opts.all ? 0 : model.goroutines.length - total;
  yield `${style.bold(`${total} goroutine${total === 1 ? '' : 's'}`)} in ${buckets.length} group${buckets.length === 1 ? '' : 's'}` +
    `${hidden > 0 ? style.dim(` (${hidden} system goroutine${hidden === 1 ? '' : 's'} not shown; --all shows them)`) : ''}\n`;
  if (buckets.length === 0) return;
  const rows = [
    ['COUNT', 'SHARE', 'FUNCTION', 'STATES'].map((h) => style.dim(h)),
    ...buckets.map((b) => [String(b.count), percent(b.share), b.function, statusMix(b)]),
  ];
  yield `\n${table(rows, {
    border: getBorderCharacters('void'),
    columnDefault: { paddingLeft: 0, paddingRight: 2 },
    columns: { 0: { alignment: 'right' }, 1: { alignment: 'right' }, 3: { paddingRight: 0 } },
    drawHorizontalLine: () => false,
  })
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l.trimEnd()}`))
    .join('\n')}`;
}
