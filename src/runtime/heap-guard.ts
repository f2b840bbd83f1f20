/**
 * Running out of memory must be an error, not a V8 fatal error ("JavaScript heap out of memory"
 * kills the process with a native stack trace). The goroutine walk asks this guard every few
 * thousand goroutines; when the heap is close to V8's limit it collects garbage once to see what
 * is really live, and throws ResourceLimitError if that is still too close.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { ResourceLimitError } from '../base/errors.ts';

/**
 * Default share of V8's heap limit the walk may fill before giving up. GOSPY_HEAP_FRACTION (0–1)
 * lowers it, so that the limit can be exercised end to end on small inputs (tests, diagnosis).
 */
export const DEFAULT_HEAP_FRACTION = heapFractionFromEnv() ?? 0.85;

function heapFractionFromEnv(): number | undefined {
  const v = Number(process.env['GOSPY_HEAP_FRACTION']);
  return v > 0 && v <= 1 ? v : undefined;
}

let collect: (() => void) | undefined;
/** A full collection on demand: `gc` exposed for this one purpose (no flag on the command line). */
function fullGc(): void {
  if (collect === undefined) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

export class HeapGuard {
  private readonly limit: number;
  private readonly fraction: number;
  private readonly what: string;

  constructor(what: string, fraction: number | undefined = DEFAULT_HEAP_FRACTION) {
    this.limit = v8.getHeapStatistics().heap_size_limit;
    this.fraction = fraction ?? DEFAULT_HEAP_FRACTION;
    this.what = what;
  }

  /** Throws ResourceLimitError when live data fills more than the allowed share of the heap. */
  check(done: number, total: number): void {
    if (v8.getHeapStatistics().used_heap_size <= this.fraction * this.limit) return;
    fullGc();
    const used = v8.getHeapStatistics().used_heap_size;
    if (used <= this.fraction * this.limit) return;
    const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`;
    throw new ResourceLimitError(
      `not enough memory for ${total.toLocaleString('en')} ${this.what}: ${mb(used)} of Node's ${mb(this.limit)} heap in use after ${done.toLocaleString('en')}`,
      {
        hint: `give Node a larger heap on a machine with that much free memory, e.g. NODE_OPTIONS=--max-old-space-size=${suggestedMB(used, done, total)}`,
      },
    );
  }
}

/** Heap for the whole walk if it grows as it did so far, with a quarter to spare, in whole GiB. */
function suggestedMB(used: number, done: number, total: number): number {
  const need = (used / 2 ** 20) * (total / Math.max(done, 1)) * 1.25;
  return Math.ceil(need / 1024) * 1024;
}
