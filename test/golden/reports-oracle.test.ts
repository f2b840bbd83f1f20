/**
 * The JSON and top goldens of test/golden/reports/ read against the runtime's own dump of the same
 * moment (the sample's crash.txt, GOTRACEBACK=crash, first section): every goroutine gospy lists is
 * in the dump with the same g address (where the dump prints gp=), status or wait reason, wait
 * minutes, locked-to-thread mark, every frame (function(args), file:line, pc) and creator; every
 * goroutine of the dump that runs the program's own code is listed; top's groups count what the
 * dump shows. This is the check the goldens were made with, kept so a regenerated golden that the
 * runtime disagrees with cannot be committed unnoticed.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_CASES, goldenPath } from '../support/report-goldens.ts';
import { listSampleBuilds, readSampleText, sampleName } from '../support/samples.ts';
import { normalizeCrashDump } from '../support/traceback-text.ts';

/** Where `build.sh` puts the sample programs' sources (samples/README.md): the program's own code. */
const OWN_CODE = '/tmp/gospy-samples/';

interface OracleFrame {
  readonly call: string;
  readonly file: string;
  readonly line: number;
  readonly pc: string | undefined;
}
interface OracleGoroutine {
  readonly id: number;
  readonly gp: string | undefined;
  readonly status: string;
  /** Frames before an elision marker, and after a "...N frames elided..." marker. */
  readonly inner: OracleFrame[];
  readonly outer: OracleFrame[];
  readonly elided: boolean;
  readonly createdBy: { call: string; file: string; line: number } | undefined;
}

/** The crash dump's first section (normalizeCrashDump's cut), keeping the gp= and pc= decorations. */
function parseCrash(text: string): Map<number, OracleGoroutine> {
  const section = normalizeCrashDump(text).split('\n').length;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^goroutine [1-9]\d* /.test(l));
  const out = new Map<number, OracleGoroutine>();
  let cur: OracleGoroutine | undefined;
  let after = false;
  for (let i = start; i < start + section; i++) {
    const l = lines[i]!;
    const h = /^goroutine (\d+)(?: gp=(0x[0-9a-f]+) m=\S+(?: mp=\S+)?)? \[([^\]]*)\]:$/.exec(l);
    if (h) {
      cur = { id: Number(h[1]), gp: h[2], status: h[3]!, inner: [], outer: [], elided: false, createdBy: undefined };
      expect(out.has(cur.id), `goroutine ${cur.id} twice in the dump`).toBe(false);
      out.set(cur.id, cur);
      after = false;
      continue;
    }
    if (cur === undefined || l === '' || l.startsWith('\t')) continue;
    if (l.startsWith('...')) {
      (cur as { elided: boolean }).elided = true;
      after = /^\.\.\.\d+ frames elided\.\.\.$/.test(l);
      continue;
    }
    const loc = /^\t(.*):(\d+)(?: \+0x[0-9a-f]+)?(?: fp=\S+ sp=\S+ pc=(0x[0-9a-f]+))?$/.exec(lines[i + 1] ?? '');
    if (!loc) continue;
    if (l.startsWith('created by ')) {
      (cur as { createdBy: OracleGoroutine['createdBy'] }).createdBy = { call: l.slice('created by '.length), file: loc[1]!, line: Number(loc[2]) };
    } else {
      (after ? cur.outer : cur.inner).push({ call: l, file: loc[1]!, line: Number(loc[2]), pc: loc[3] });
    }
  }
  return out;
}

interface JsonFrame {
  function: string;
  args: string;
  file: string;
  line: number;
  pc: string;
}
interface JsonGoroutine {
  id: number;
  address: string;
  status: string;
  waitReason: string;
  waitMinutes: number | null;
  lockedToThread: boolean;
  thread: number | null;
  frames: JsonFrame[];
  createdBy: { function: string; file: string; line: number; goroutine: number | null } | null;
}

/** "chan receive, 1 minutes, locked to thread" → its parts. */
function statusParts(s: string): { reason: string; minutes: number | null; locked: boolean } {
  const parts = s.split(', ');
  const m = parts.map((p) => /^(\d+) minutes$/.exec(p)).find((x) => x !== null);
  return { reason: parts[0]!, minutes: m ? Number(m[1]) : null, locked: parts.includes('locked to thread') };
}

/** Differences between one goroutine of the JSON golden and the runtime's dump. */
function differences(g: JsonGoroutine, o: OracleGoroutine): string[] {
  const d: string[] = [];
  if (o.gp !== undefined && o.gp !== g.address) d.push(`address ${g.address}, runtime gp=${o.gp}`);
  const s = statusParts(o.status);
  const ours = g.status === 'waiting' ? g.waitReason : g.status;
  if (ours !== s.reason) d.push(`status ${ours}, runtime ${s.reason}`);
  if (g.waitMinutes !== s.minutes) d.push(`minutes ${g.waitMinutes}, runtime ${s.minutes}`);
  if (g.lockedToThread !== s.locked) d.push(`locked ${g.lockedToThread}, runtime ${s.locked}`);
  const same = (f: JsonFrame | undefined, w: OracleFrame): boolean =>
    f !== undefined && `${f.function}(${f.args})` === w.call && f.file === w.file && f.line === w.line && (w.pc === undefined || w.pc === f.pc);
  // A goroutine running on another CPU: gospy prints no stack for it (as runtime.Stack does); the
  // dump, written by the runtime that stopped it, has one. Presence, status and its thread only.
  if (g.frames.length === 0 && g.status === 'running') {
    if (g.thread === null) d.push('running without a thread');
  } else {
    o.inner.forEach((w, i) => {
      if (!same(g.frames[i], w)) d.push(`frame ${i}: ${JSON.stringify(g.frames[i])}, runtime ${JSON.stringify(w)}`);
    });
    o.outer.forEach((w, i) => {
      const j = g.frames.length - o.outer.length + i;
      if (!same(g.frames[j], w)) d.push(`frame ${j}: ${JSON.stringify(g.frames[j])}, runtime ${JSON.stringify(w)}`);
    });
    if (!o.elided && g.frames.length !== o.inner.length) d.push(`${g.frames.length} frames, runtime ${o.inner.length}`);
  }
  const c = g.createdBy;
  const want = o.createdBy;
  const ourCall = c === null ? undefined : `${c.function}${c.goroutine === null ? '' : ` in goroutine ${c.goroutine}`}`;
  if (ourCall !== want?.call || c?.file !== want?.file || c?.line !== want?.line) d.push(`created by ${JSON.stringify(c)}, runtime ${JSON.stringify(want)}`);
  return d;
}

const builds = new Map(listSampleBuilds().map((b) => [sampleName(b).replace('/', '-'), b]));
const sampleOf = (name: string) => builds.get(name.slice(0, name.indexOf('.', name.indexOf('go1.') + 4)))!;

describe('report goldens agree with the runtime own dump of the same moment', () => {
  const jsonCases = REPORT_CASES.filter((c) => c.name.endsWith('.summary-json'));
  const topCases = REPORT_CASES.filter((c) => c.name.endsWith('.top'));

  it('has JSON and top goldens for every sample', () => {
    expect(jsonCases.length).toBeGreaterThanOrEqual(4);
    expect(topCases.length).toBeGreaterThanOrEqual(5);
    for (const c of [...jsonCases, ...topCases]) expect(sampleOf(c.name), c.name).toBeDefined();
  });

  it.each(jsonCases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const doc = JSON.parse(fs.readFileSync(goldenPath(c), 'utf8')) as { goroutines: JsonGoroutine[] };
    const oracle = parseCrash(readSampleText(sampleOf(c.name), 'crash.txt')!);
    const problems: string[] = [];
    for (const g of doc.goroutines) {
      const o = oracle.get(g.id);
      if (o === undefined) problems.push(`goroutine ${g.id}: not in the runtime's dump`);
      else problems.push(...differences(g, o).map((x) => `goroutine ${g.id}: ${x}`));
    }
    const listed = new Set(doc.goroutines.map((g) => g.id));
    for (const o of oracle.values()) {
      if ([...o.inner, ...o.outer].some((f) => f.file.startsWith(OWN_CODE)) && !listed.has(o.id)) problems.push(`goroutine ${o.id} (program code) not listed`);
    }
    expect(doc.goroutines.length).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it.each(topCases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const text = fs.readFileSync(goldenPath(c), 'utf8');
    const oracle = parseCrash(readSampleText(sampleOf(c.name), 'crash.txt') ?? '');
    // The dump's goroutines by their first frame in the program's own code (main.*).
    const byFunction = new Map<string, number>();
    let running = 0;
    for (const o of oracle.values()) {
      // A goroutine running on a CPU: gospy has no stack for it in a core and groups it apart, even
      // where the dump (written by the runtime that stopped it) shows one.
      if (o.status === 'running' && o.createdBy?.file.startsWith(OWN_CODE)) {
        running++;
        continue;
      }
      const own = o.inner.find((f) => f.file.startsWith(OWN_CODE));
      if (own === undefined) continue;
      const fn = own.call.slice(0, own.call.lastIndexOf('('));
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
    }
    const rows = [...text.matchAll(/^ +(\d+) +\S+% +(.+?) {2,}/gm)].map((m) => [m[2]!, Number(m[1])] as const);
    const groups = new Map(rows.map(([fn, n]) => [fn === '(running on another thread)' ? 'running' : fn, n]));
    if (running > 0) byFunction.set('running', running);
    expect(groups).toEqual(byFunction);
  });
});
