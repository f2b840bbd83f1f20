/**
 * Function names as the runtime prints them: `printFuncName` and `funcNamePiecesForPrint` in
 * `src/runtime/traceback.go` (1.21+ abbreviates generic shapes to `[...]`; 1.27 also handles a
 * generic method of a generic type) and `isExportedRuntime`.
 */
import type { TracebackRules } from './layouts/traceback-rules.ts';

export function printedFuncName(name: string, style: TracebackRules['genericNames']): string {
  if (name === 'runtime.gopanic') return 'panic';
  if (style === 'raw') return name;
  const i = name.indexOf('[');
  if (i < 0) return name;
  const j = name.lastIndexOf(']');
  if (j <= i) return name;
  const interior = name.slice(i + 1, j);
  if (style === 'abbreviate' || !interior.includes('[')) return `${name.slice(0, i)}[...]${name.slice(j + 1)}`;
  let depth = 1;
  let rbr = -1;
  let lbr = -1;
  for (let k = 0; k < interior.length; k++) {
    const c = interior[k];
    if (c === '[') {
      depth++;
      if (depth !== 1) continue;
      lbr = k;
      break;
    }
    if (c === ']') {
      depth--;
      if (depth < 0) break;
      if (depth !== 0) continue;
      rbr = k;
    }
  }
  if (depth === 1) {
    if (rbr >= 0 && lbr > rbr) return `${name.slice(0, i)}[...]${interior.slice(rbr + 1, lbr)}[...]${name.slice(j + 1)}`;
    if (rbr === -1 && lbr === -1) return `${name.slice(0, i)}[...]${name.slice(j + 1)}`;
  }
  return name;
}

export function isExportedRuntime(name: string, receiverAware: boolean): boolean {
  if (!name.startsWith('runtime.')) return false;
  let rest = name.slice('runtime.'.length);
  if (!receiverAware) return rest.length > 0 && rest[0]! >= 'A' && rest[0]! <= 'Z';
  let rcvr = '';
  const dot = rest.lastIndexOf('.');
  if (dot >= 0) {
    rcvr = rest.slice(0, dot);
    rest = rest.slice(dot + 1);
    if (rcvr.length >= 3 && rcvr.startsWith('(*') && rcvr.endsWith(')')) rcvr = rcvr.slice(2, -1);
  }
  const upper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z';
  return upper(rest[0]) && (rcvr.length === 0 || upper(rcvr[0]));
}
