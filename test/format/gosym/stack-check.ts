/**
 * Checks a PclnTable against the Go runtime's own runtime.Stack text (stack.txt of a sample build):
 * every physical frame `name(...)\n\tfile:line +0xNN` must resolve, via funcByName(name).entry + 0xNN − 1,
 * to exactly file:line; inlined frames printed above it (lines without +0x) must appear, in order and with the
 * same file:line, in inlineFrames() at that pc; `created by` lines likewise.
 */
import type { PclnTable, Func } from '../../../src/format/gosym/index.ts';

export interface StackCheckResult {
  physical: number;
  inlined: number;
  createdBy: number;
  /** Inline groups whose physical frame was hidden by the runtime (wrapper), so no pc is known. */
  unverifiable: number;
  mismatches: string[];
}

/** The runtime's funcNameForPrint: `pkg.F[go.shape.int,...]` → `pkg.F[...]`. */
export function printName(name: string): string {
  const a = name.indexOf('[');
  const c = name.lastIndexOf(']');
  if (a < 0 || c < a) return name;
  return `${name.slice(0, a)}[...]${name.slice(c + 1)}`;
}

interface Printed { name: string; file: string; line: number; off: number | undefined }

const FRAME = /^(.+)\((.*)\)$/;
const POS = /^\t(.+):(\d+)(?: \+0x([0-9a-f]+))?(?: fp=.*)?$/;

export function checkStack(table: PclnTable, text: string): StackCheckResult {
  const res: StackCheckResult = { physical: 0, inlined: 0, createdBy: 0, unverifiable: 0, mismatches: [] };
  // name → funcs, by printed name (generic shapes abbreviated)
  const byPrint = new Map<string, Func[]>();
  const lookup = (printed: string): Func[] => {
    if (printed === 'panic') printed = 'runtime.gopanic';
    const exact = table.funcsByName(printed);
    if (exact.length > 0) return exact;
    if (byPrint.size === 0) {
      for (const f of table.allFuncs()) {
        const p = printName(f.name);
        const l = byPrint.get(p);
        if (l) l.push(f);
        else byPrint.set(p, [f]);
      }
    }
    return byPrint.get(printed) ?? [];
  };
  const lines = text.split('\n');
  let group: Printed[] = [];
  // The pc of a frame whose callee was an injected call (sigpanic, asyncPreempt, debugCall*) is not a return
  // address and is symbolized unadjusted; at level 1 such callees are hidden when they are the innermost
  // frames, so the first physical frame of a goroutine may be either kind.
  let firstOfGoroutine = false;
  let prevName = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('goroutine ') || l === '' || l.startsWith('FRAME ') || l.startsWith('...')) {
      if (group.length > 0) res.unverifiable++;
      group = [];
      firstOfGoroutine = l.startsWith('goroutine ');
      prevName = '';
      continue;
    }
    const pos = POS.exec(lines[i + 1] ?? '');
    if (!pos) continue;
    i++;
    const file = pos[1]!;
    const line = Number(pos[2]);
    const off = pos[3] === undefined ? undefined : parseInt(pos[3], 16);
    const cb = /^created by (\S+?)(?: in goroutine \d+)?$/.exec(l);
    if (cb) {
      if (group.length > 0) res.unverifiable++;
      group = [];
      res.createdBy++;
      checkPhysical(cb[1]!, [], file, line, off, `created by ${cb[1]}`);
      continue;
    }
    const m = FRAME.exec(l);
    if (!m) continue;
    if (off === undefined) {
      group.push({ name: m[1]!, file, line, off });
      continue;
    }
    res.physical++;
    const injected = firstOfGoroutine || /^runtime\.(sigpanic|asyncPreempt|debugCall)/.test(prevName);
    checkPhysical(m[1]!, group, file, line, off, l, injected);
    firstOfGoroutine = false;
    prevName = m[1]!;
    group = [];
  }
  if (group.length > 0) res.unverifiable++;
  return res;

  function checkPhysical(name: string, inl: Printed[], file: string, line: number, off: number | undefined, what: string, injected = false): void {
    const cands = lookup(name);
    if (cands.length === 0) {
      res.mismatches.push(`${what}: no function named ${name}`);
      return;
    }
    const o = off ?? 0;
    // with several candidates (wrapper + wrapped, generic shapes) accept the one that matches
    let lastErr = '';
    const tries: [Func, number][] = [];
    for (const f of cands) {
      tries.push([f, o > 0 ? f.entry + o - 1 : f.entry]);
      if (injected && o > 0) tries.push([f, f.entry + o]);
    }
    for (const [f, pc] of tries) {
      if (o >= f.end - f.entry && o !== 0) continue;
      const got = table.findFunc(pc);
      if (got !== f) {
        lastErr = `findFunc(0x${pc.toString(16)}) = ${got?.name}`;
        continue;
      }
      const frames = table.inlineFrames(f, pc);
      const phys = frames[frames.length - 1]!;
      if (phys.file !== file || phys.line !== line) {
        lastErr = `${name}+0x${o.toString(16)}: got ${phys.file}:${phys.line}, want ${file}:${line}`;
        continue;
      }
      const fl = table.fileLine(f, pc);
      // fileLine is the innermost position, i.e. that of the innermost (possibly hidden) inlined frame
      if (fl.file !== frames[0]!.file || fl.line !== frames[0]!.line) {
        lastErr = `fileLine ${fl.file}:${fl.line} differs from innermost inline frame ${frames[0]!.file}:${frames[0]!.line}`;
        continue;
      }
      // printed inlined frames must be an ordered subsequence of frames[0..-1]
      let k = 0;
      let ok = true;
      for (const p of inl) {
        while (k < frames.length - 1 && !(printName(frames[k]!.name) === (p.name === 'panic' ? 'runtime.gopanic' : p.name) && frames[k]!.file === p.file && frames[k]!.line === p.line)) k++;
        if (k >= frames.length - 1) {
          ok = false;
          lastErr = `inlined ${p.name} ${p.file}:${p.line} not in [${frames.map((x) => `${x.name} ${x.file}:${x.line}`).join(' | ')}]`;
          break;
        }
        k++;
      }
      if (!ok) continue;
      res.inlined += inl.length;
      return;
    }
    res.mismatches.push(`${what}: ${lastErr || 'offset beyond every candidate'}`);
  }
}
