/**
 * Splits a Go traceback dump (runtime.Stack(buf, true) output, or a GOTRACEBACK crash dump) into
 * goroutine blocks, for comparing gospy's output with the runtime's own, goroutine by goroutine.
 */
export interface DumpBlock {
  readonly id: number;
  /** The whole header line. */
  readonly header: string;
  /** Status text: the bracket's first comma-separated part (wait reason or status). */
  readonly status: string;
  /** Everything after the header line. */
  readonly body: string;
  /** Header + body, as printed. */
  readonly text: string;
}

const HEADER = /^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]/;

export function parseDump(text: string): DumpBlock[] {
  const blocks: DumpBlock[] = [];
  const lines = text.split('\n');
  let cur: string[] | undefined;
  const flush = (): void => {
    if (!cur) return;
    while (cur.length > 0 && cur[cur.length - 1] === '') cur.pop();
    const header = cur[0]!;
    const m = HEADER.exec(header)!;
    blocks.push({
      id: Number(m[1]),
      header,
      status: m[2]!.split(',')[0]!.trim(),
      body: cur.slice(1).join('\n'),
      text: cur.join('\n'),
    });
    cur = undefined;
  };
  for (const line of lines) {
    if (HEADER.test(line)) {
      flush();
      cur = [line];
    } else if (cur) {
      cur.push(line);
    }
  }
  flush();
  return blocks;
}

export const RUNNING_ELSEWHERE = '\tgoroutine running on other thread; stack unavailable';

export interface CompareOptions {
  /**
   * An oracle goroutine left out of the comparison (stacks.test.ts: the goroutine that wrote the dump,
   * which moved on): its text is not compared and it may be absent from ours.
   */
  readonly skip?: DumpBlock;
  /**
   * For a goroutine the runtime printed as running on another thread (no stack): also require ours to be
   * running or runnable. Without it only presence is checked.
   */
  readonly elsewhereMustBeBusy?: boolean;
  /** A second oracle text also accepted for a goroutine when ours differs from the printed one. */
  readonly alsoAccept?: (want: DumpBlock) => string;
}

export interface CompareResult {
  /** One entry per goroutine that is missing, extra, duplicated or differs (a runtime/gospy diff). */
  readonly mismatches: string[];
  /** Goroutines whose whole text was compared. */
  readonly compared: number;
}

/**
 * Compares our dump with the runtime's (the oracle) in both directions: every oracle goroutine must
 * be in ours with the same text (under the tolerances of `opts`), and ours must have no goroutine
 * the oracle lacks and none twice. CPU-busy goroutines are compared by presence and status only.
 */
export function compareDumps(oracle: readonly DumpBlock[], ours: readonly DumpBlock[], opts: CompareOptions = {}): CompareResult {
  const byId = new Map<number, DumpBlock>();
  const mismatches: string[] = [];
  for (const x of ours) {
    if (byId.has(x.id)) mismatches.push(`goroutine ${x.id} printed more than once by gospy:\n${byId.get(x.id)!.text}\n${x.text}`);
    else byId.set(x.id, x);
  }
  const inOracle = new Set(oracle.map((x) => x.id));
  for (const x of byId.values()) {
    if (!inOracle.has(x.id)) mismatches.push(`goroutine ${x.id} printed by gospy but not by the runtime:\n${x.text}`);
  }
  let compared = 0;
  const busy = ['running', 'runnable'];
  for (const want of oracle) {
    if (want === opts.skip) continue;
    const got = byId.get(want.id);
    if (!got) {
      mismatches.push(`goroutine ${want.id} missing`);
      continue;
    }
    // The rule for CPU-busy goroutines: presence and status only. A running goroutine's
    // stack is a moment's reading, and it may flip between running and runnable.
    if (busy.includes(want.status) && busy.includes(got.status) && (want.status !== got.status || want.status === 'running')) continue;
    if (want.body.startsWith(RUNNING_ELSEWHERE)) {
      if (opts.elsewhereMustBeBusy && !busy.includes(got.status)) mismatches.push(`goroutine ${want.id}: status ${got.status}, was running`);
      continue;
    }
    compared++;
    if (got.text !== want.text && (opts.alsoAccept === undefined || got.text !== opts.alsoAccept(want))) {
      mismatches.push(`--- runtime\n${want.text}\n+++ gospy\n${got.text}`);
    }
  }
  return { mismatches, compared };
}

/** The first section of a crash dump, without the debugging decorations. */
export function normalizeCrashDump(text: string): string {
  const out: string[] = [];
  let started = false;
  for (const line of text.split('\n')) {
    if (/^goroutine [1-9]\d* /.test(line)) started = true;
    if (!started) continue;
    if (line.startsWith('-----') || /^r[a-z0-9]+\s+0x/.test(line) || line.startsWith('SIGQUIT')) break;
    out.push(line.replace(/ fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$/, '').replace(/^(goroutine \d+) gp=0x[0-9a-f]+ m=(?:\d+ mp=0x[0-9a-f]+|nil)/, '$1'));
  }
  return out.join('\n');
}

export function minutesOf(header: string): number | undefined {
  const m = /, (\d+) minutes/.exec(header);
  return m ? Number(m[1]) : undefined;
}

/** The block with its header's minutes replaced by the minutes the runtime printed at the core's moment. */
export function withMinutes(text: string, minutes: number | undefined): string {
  const nl = text.indexOf('\n');
  const header = nl < 0 ? text : text.slice(0, nl);
  const rest = nl < 0 ? '' : text.slice(nl);
  let h = header.replace(/, \d+ minutes/, '');
  if (minutes !== undefined) {
    const open = h.indexOf('[');
    const close = h.indexOf(']', open);
    const inside = h.slice(open + 1, close);
    const comma = inside.indexOf(', ');
    const status = comma < 0 ? inside : inside.slice(0, comma);
    const tail = comma < 0 ? '' : inside.slice(comma);
    h = `${h.slice(0, open + 1)}${status}, ${minutes} minutes${tail}${h.slice(close)}`;
  }
  return h + rest;
}
