/**
 * The `allgs` walk and the fields of each `runtime.g` a traceback needs (`src/runtime/runtime2.go`,
 * `allgs`/`allglen` in `src/runtime/proc.go`). One read per g of the byte range the layout needs.
 */
import { u32, u64, i64 } from '../base/bytes.ts';
import { G_SCAN } from './layouts/gstatus.ts';
import type { Layout } from './layouts/layout.ts';
import type { FieldName } from './layouts/fields.ts';
import type { Mem } from './mem.ts';

export interface RawG {
  readonly addr: number;
  readonly goid: number;
  readonly statusWord: number;
  readonly status: number;
  readonly scan: boolean;
  readonly stackLo: number;
  readonly stackHi: number;
  readonly m: number;
  readonly schedSP: number;
  readonly schedPC: number;
  readonly schedLR: number;
  readonly syscallSP: number;
  readonly syscallPC: number;
  readonly waitsince: number;
  readonly waitreason: number;
  readonly lockedm: number;
  readonly gopc: number;
  readonly startpc: number;
  readonly parentGoid: number;
  readonly labels: number;
}

/** Refuse absurd allglen values from a corrupt core instead of allocating for them. */
const MAX_GOROUTINES = 50_000_000;

export function readAllGs(mem: Mem, allgs: number, allglen: number | undefined): number[] {
  const ptr = mem.ptr(allgs, 'runtime.allgs');
  const sliceLen = mem.u64(allgs + 8, 'runtime.allgs');
  let n = allglen === undefined ? sliceLen : mem.u64(allglen, 'runtime.allglen');
  if (!(n >= 0) || n > MAX_GOROUTINES) n = sliceLen;
  if (!(n >= 0) || n > MAX_GOROUTINES) return [];
  const bytes = mem.raw.read(ptr, n * 8, 'runtime.allgs array');
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = u64(bytes, i * 8);
    out[i] = Number.isNaN(v) ? 0 : v;
  }
  return out;
}

export class GReader {
  /** Bytes read per g: the span of the fields above, from the g's address. */
  readonly span: number;
  private readonly o: Record<string, number>;
  constructor(layout: Layout) {
    const fields: FieldName[] = [
      'g.stack.lo', 'g.stack.hi', 'g.m', 'g.sched.sp', 'g.sched.pc', 'g.syscallsp', 'g.syscallpc',
      'g.atomicstatus', 'g.goid', 'g.waitsince', 'g.waitreason', 'g.lockedm', 'g.gopc', 'g.startpc', 'g.labels',
    ];
    const o: Record<string, number> = {};
    let span = 0;
    for (const f of fields) {
      o[f] = layout.off(f);
      span = Math.max(span, o[f]! + 8);
    }
    for (const f of ['g.sched.lr', 'g.parentGoid'] as const) {
      const v = layout.find(f);
      if (v !== undefined) {
        o[f] = v;
        span = Math.max(span, v + 8);
      }
    }
    this.o = o;
    this.span = span;
  }

  read(mem: Mem, addr: number): RawG {
    const b = mem.raw.read(addr, this.span, 'runtime.g');
    const o = this.o;
    const p = (f: string): number => {
      const off = o[f];
      if (off === undefined) return 0;
      const v = u64(b, off);
      return Number.isNaN(v) ? 0 : v;
    };
    const statusWord = u32(b, o['g.atomicstatus']!);
    return {
      addr,
      goid: p('g.goid'),
      statusWord,
      status: statusWord & ~G_SCAN,
      scan: (statusWord & G_SCAN) !== 0,
      stackLo: p('g.stack.lo'),
      stackHi: p('g.stack.hi'),
      m: p('g.m'),
      schedSP: p('g.sched.sp'),
      schedPC: p('g.sched.pc'),
      schedLR: p('g.sched.lr'),
      syscallSP: p('g.syscallsp'),
      syscallPC: p('g.syscallpc'),
      waitsince: i64(b, o['g.waitsince']!) || 0,
      waitreason: b[o['g.waitreason']!]!,
      lockedm: p('g.lockedm'),
      gopc: p('g.gopc'),
      startpc: p('g.startpc'),
      parentGoid: p('g.parentGoid'),
      labels: p('g.labels'),
    };
  }
}

const COLUMNS = [
  'addr', 'goid', 'statusWord', 'stackLo', 'stackHi', 'm', 'schedSP', 'schedPC', 'schedLR', 'syscallSP', 'syscallPC',
  'waitsince', 'waitreason', 'lockedm', 'gopc', 'startpc', 'parentGoid', 'labels',
] as const satisfies readonly (keyof RawG)[];
const STACK_LO = COLUMNS.indexOf('stackLo');
const WAITSINCE = COLUMNS.indexOf('waitsince');

/**
 * Every live g's fields in one Float64Array, a row per goroutine: a million RawG objects (a dozen
 * boxed 64-bit numbers each) kept the garbage collector marking them over and over; one buffer is
 * invisible to it. `at(i)` makes a short-lived RawG when the walk needs one.
 */
export class RawGTable {
  private data = new Float64Array(COLUMNS.length * 1024);
  length = 0;

  push(g: RawG): void {
    if ((this.length + 1) * COLUMNS.length > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const base = this.length++ * COLUMNS.length;
    for (let c = 0; c < COLUMNS.length; c++) this.data[base + c] = g[COLUMNS[c]!] as number;
  }

  stackLo(i: number): number {
    return this.data[i * COLUMNS.length + STACK_LO]!;
  }

  waitsince(i: number): number {
    return this.data[i * COLUMNS.length + WAITSINCE]!;
  }

  at(i: number): RawG {
    const d = this.data;
    const b = i * COLUMNS.length;
    const statusWord = d[b + 2]!;
    return {
      addr: d[b]!, goid: d[b + 1]!, statusWord, status: statusWord & ~G_SCAN, scan: (statusWord & G_SCAN) !== 0,
      stackLo: d[b + 3]!, stackHi: d[b + 4]!, m: d[b + 5]!, schedSP: d[b + 6]!, schedPC: d[b + 7]!, schedLR: d[b + 8]!,
      syscallSP: d[b + 9]!, syscallPC: d[b + 10]!, waitsince: d[b + 11]!, waitreason: d[b + 12]!, lockedm: d[b + 13]!,
      gopc: d[b + 14]!, startpc: d[b + 15]!, parentGoid: d[b + 16]!, labels: d[b + 17]!,
    };
  }

  *[Symbol.iterator](): Iterator<RawG> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}
