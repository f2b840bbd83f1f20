/**
 * Small helpers shared by the reports: the status text the runtime prints in a goroutine header,
 * the "user-level" frame, and the optional ANSI styling. Functions of the model only (house H2).
 */
import type { Frame, Goroutine } from '../runtime/model.ts';

/**
 * The status text inside a traceback header, before any decoration: the wait reason for a waiting
 * (or leaked) goroutine that has one, otherwise the status name (`runtime.goroutineheader`).
 */
export function statusText(g: Goroutine): string {
  if ((g.status === 'waiting' || g.status === 'leaked') && g.waitReason !== '') return g.waitReason;
  return g.status;
}

/**
 * True for functions of package runtime and the runtime's internal helper packages, plus the
 * functions other packages linkname into the runtime (`sync.runtime_Semacquire`,
 * `internal/poll.runtime_pollWait`, ...): frames a user does not want as "where is it".
 */
export function isRuntimeHelper(fn: string): boolean {
  if (fn.startsWith('runtime.') || fn.startsWith('internal/runtime/') || fn.startsWith('runtime/internal/')) {
    return true;
  }
  if (fn === 'panic') return true; // runtime.gopanic as the runtime prints it
  const slash = fn.lastIndexOf('/');
  const dot = fn.indexOf('.', slash + 1);
  return dot >= 0 && fn.startsWith('runtime_', dot + 1);
}

/** A frame of the Go standard library (or runtime), judged by its file under GOROOT. */
export function isStdlibFrame(f: Frame, goroot: string | undefined): boolean {
  if (goroot) return f.file.startsWith(`${goroot}/src/`);
  if (goroot === '') {
    // -trimpath: standard library files are "pkg/file.go" whose first element has no dot.
    const first = f.file.split('/')[0] ?? '';
    return !f.file.startsWith('/') && !first.includes('.');
  }
  return false;
}

/**
 * The frame that answers "where is this goroutine": the first visible frame of the program's own
 * code (outside GOROOT), else the first visible frame that is not a runtime helper, else the first
 * visible frame, else the first frame; undefined when there are no frames.
 */
export function userFrame(g: Goroutine, goroot?: string): Frame | undefined {
  let firstVisible: Frame | undefined;
  let firstNonRuntime: Frame | undefined;
  for (const f of g.frames) {
    if (!f.visible) continue;
    firstVisible ??= f;
    if (!isRuntimeHelper(f.function)) {
      firstNonRuntime ??= f;
      if (!isStdlibFrame(f, goroot)) return f;
    }
  }
  return firstNonRuntime ?? firstVisible ?? g.frames[0];
}

/** Which goroutines a report shows: level 1 hides system goroutines, `all` shows every one. */
export function selectedGoroutines(goroutines: readonly Goroutine[], all: boolean): Iterable<Goroutine> {
  if (all) return goroutines;
  return (function* () {
    for (const g of goroutines) if (!g.system) yield g;
  })();
}

/** ANSI styling; every function is the identity when colour is off. */
export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const identity = (s: string): string => s;
const sgr = (open: number, close: number) => (s: string): string => `\u001b[${open}m${s}\u001b[${close}m`;

export const plainStyle: Style = {
  bold: identity,
  dim: identity,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
};

export const ansiStyle: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};

export function styleFor(color: boolean): Style {
  return color ? ansiStyle : plainStyle;
}
