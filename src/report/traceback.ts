/**
 * Go-runtime-compatible goroutine dump: the text `runtime.Stack(buf, true)` prints (level 1), or with
 * `all` what GOTRACEBACK=system prints (every goroutine, every frame), without the level-2 debug
 * decorations (` gp=… m=…` in headers, ` fp=… sp=… pc=…` on frames).
 *
 * Mirrors golang/go:src/runtime/traceback.go (goroutineheader, traceback1/traceback2, gentraceback
 * ≤1.20, printcreatedby, tracebackothers) as runtime/traceback.go does it.
 *
 * The output is a stream of chunks, one per goroutine, so that 100k goroutines never become one
 * string. Joining the chunks gives goroutines separated by one empty line, no trailing empty line,
 * every line (the last included) ending in '\n'.
 */
import { hex } from '../base/hex.ts';
import type { CreatedBy, Frame, Goroutine, ProcessModel, TracebackStyle } from '../runtime/model.ts';
import { plainStyle, statusText, type Style } from './common.ts';

export interface TracebackOptions {
  /** GOTRACEBACK=system: system goroutines and hidden frames too. Default false (level 1). */
  readonly all: boolean;
  /** Styling for terminals; headers are bold. Default: none. */
  readonly style?: Style | undefined;
}

/** ≤1.20: physical frames walked; 1.21+: logical frames printed before and after the elision. */
const budgetFrames = 100;
const innerFrames = 50;
const outerFrames = 50;

export function* formatTraceback(model: ProcessModel, opts: TracebackOptions): Iterable<string> {
  const style = opts.style ?? plainStyle;
  let first = true;
  for (const g of model.goroutines) {
    if (g.system && !opts.all) continue;
    const text = formatGoroutine(g, model.traceback, opts.all, style);
    yield first ? text : `\n${text}`;
    first = false;
  }
}

export const TORN_NOTE = '(torn: it ran while gospy copied it without stopping the process; what follows may mix two moments)';

/** One goroutine block: header, frames (or why there are none), created-by. Ends in '\n'. */
export function formatGoroutine(g: Goroutine, tb: TracebackStyle, all: boolean, style: Style = plainStyle): string {
  const lines: string[] = [style.bold(goroutineHeader(g, tb))];
  // Not a runtime line: a --nonblocking capture saw the goroutine change while copying it.
  if (g.torn) lines.push(`\t${TORN_NOTE}`);
  if (g.frames.length === 0) {
    if (g.status === 'running' && !g.fromRegisters) {
      lines.push('\tgoroutine running on other thread; stack unavailable');
    } else if (g.unwindError !== undefined) {
      lines.push(`\t(stack unavailable: ${g.unwindError})`);
    }
  } else {
    for (const line of frameLines(g.frames, tb.elision, all)) lines.push(line);
  }
  const cb = g.createdBy;
  if (cb !== undefined && (all || cb.visible)) lines.push(...createdByLines(cb, tb));
  return `${lines.join('\n')}\n`;
}

/** `goroutine N [status( (scan))(, N minutes)(, locked to thread)( labels:{…})]( {…}):` */
export function goroutineHeader(g: Goroutine, tb: TracebackStyle): string {
  let inside = statusText(g);
  if (g.status === 'leaked' && inside !== 'leaked') inside += ' (leaked)';
  if (g.scan) inside += ' (scan)';
  if (g.waitMinutes !== undefined && g.waitMinutes >= 1) inside += `, ${Math.trunc(g.waitMinutes)} minutes`;
  if (g.lockedToThread) inside += ', locked to thread';
  const labels = g.labels === undefined ? [] : Object.entries(g.labels);
  let after = '';
  if (labels.length > 0 && tb.labels === 'inside') {
    inside += ` labels:{${labels.map(([k, v]) => `${goQuote(k)}: ${goQuote(v)}`).join(', ')}}`;
  } else if (labels.length > 0 && tb.labels === 'after') {
    after = ` {${labels.map(([k, v]) => `${labelText(k)}: ${labelText(v)}`).join(', ')}}`;
  }
  return `goroutine ${g.id} [${inside}]${after}:`;
}

/** Go 1.27 label text: bare when every character is in [A-Za-z0-9./_], else quoted. */
export function labelText(s: string): string {
  return /^[A-Za-z0-9./_]*$/.test(s) ? s : goQuote(s);
}

/** A double-quoted string with Go escapes for '"', '\\' and control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The two lines of one frame: `function(args)` and `\tfile:line[ +0xoff]`. */
export function frameText(f: Frame): string {
  const off = !f.inlined && f.pc > f.entry ? ` +${hex(f.pc - f.entry)}` : '';
  return `${f.function}(${f.args})\n\t${f.file}:${f.line}${off}`;
}

/** Frame lines after hiding (level 1) and elision (per Go version). */
export function frameLines(frames: readonly Frame[], elision: TracebackStyle['elision'], all: boolean): string[] {
  return elision === 'budget100' ? budgetLines(frames, all) : headTailLines(frames, all);
}

/**
 * ≤1.20 gentraceback: walk at most 100 physical frames (hidden ones use budget too; inlined frames
 * share their physical frame's slot), print the visible ones, and print
 * `...additional frames elided...` when exactly 100 frames were printed. If nothing was printed, the
 * walk is repeated showing every frame.
 */
function budgetLines(frames: readonly Frame[], all: boolean): string[] {
  // Frame.physical numbers the physical frames (0 = innermost); inlined frames share their
  // physical frame's number, so the walk covers every logical frame of the first 100 physical ones.
  let end = 0;
  while (end < frames.length && frames[end]!.physical < budgetFrames) end++;
  const walked = frames.slice(0, end);
  let shown = all ? walked : walked.filter((f) => f.visible);
  if (shown.length === 0) shown = walked;
  const lines = shown.map(frameText);
  if (shown.length === budgetFrames) lines.push('...additional frames elided...');
  return lines;
}

/**
 * 1.21+ traceback1: logical frames; print the first 50, and when more than 100 would print, the
 * count of the middle ones as `...N frames elided...` and then the last 50. If nothing would print
 * at level 1, every frame is printed instead.
 */
function headTailLines(frames: readonly Frame[], all: boolean): string[] {
  let shown = all ? frames : frames.filter((f) => f.visible);
  if (shown.length === 0) shown = frames;
  if (shown.length <= innerFrames + outerFrames) return shown.map(frameText);
  const elided = shown.length - innerFrames - outerFrames;
  return [
    ...shown.slice(0, innerFrames).map(frameText),
    `...${elided} frames elided...`,
    ...shown.slice(shown.length - outerFrames).map(frameText),
  ];
}

/** `created by F( in goroutine N)` and `\tfile:line( +0xoff)`. */
export function createdByLines(cb: CreatedBy, tb: TracebackStyle): [string, string] {
  const parent = tb.createdByGoroutine && cb.goroutine !== undefined && cb.goroutine !== 0 ? ` in goroutine ${cb.goroutine}` : '';
  const off = cb.pc > cb.entry ? ` +${hex(cb.pc - cb.entry)}` : '';
  return [`created by ${cb.function}${parent}`, `\t${cb.file}:${cb.line}${off}`];
}
