/**
 * `--mode goroutines`: decide which byte ranges the goroutine reports need, so only those are
 * copied. This is the one part of capture/ that knows Go: it builds a Target whose memory is live
 * reads (process_vm_readv) of the process and walks it with the same runtime code the analyzer uses
 * (globals, layouts, `readAllGs`, `readMs`, labels; the g fields by their layout offsets), recording
 * every range it reads. To those it adds the stacks (every live goroutine's stack from just below its
 * lowest saved sp up to stack.hi — whole when it is running —, each M's g0 and gsignal stack (the top 64 KiB),
 * each thread's stack around sp) and the executable's writable
 * segments (runtime globals; moduledata and, for PIE ≤ go1.25, the pclntab in RELRO). What lies in
 * the executable's read-only mappings is not copied: the snapshot's copy of the executable supplies it.
 *
 * The walk is done twice. `plan` walks the running process before the freeze (thousands of small
 * reads; racy, but only a plan, merged into page runs). Inside the freeze, `copyFrozen` copies the
 * resident (pagemap) pages of the planned runs the walk reads, starts the copy of the planned stacks
 * on the copy workers (capture/copy.ts), walks the frozen copy in memory meanwhile — no syscalls
 * for what the plan covered —, joins the stack copy, and copies, still frozen, whatever the plan
 * missed (new goroutines, moved stacks, reads outside the copy; usually nothing).
 *
 * Everything that does not change while the process runs (ELF, DWARF, layout, global addresses) is
 * resolved in the constructor, outside the pause.
 */
import { u32, u64 } from '../src/base/bytes.ts';
import { WarningSink } from '../src/base/warnings.ts';
import { AT_ENTRY } from '../src/format/elf/constants.ts';
import { parseAuxv } from '../src/format/elf/core-notes.ts';
import type { SnapshotMapping } from '../src/format/snapshot/schema.ts';
import type { Executable } from '../src/memory/executable.ts';
import type { ArchSpec } from '../src/runtime/arch.ts';
import { GReader, readAllGs, type RawG } from '../src/runtime/goroutines.ts';
import { readLabels } from '../src/runtime/labels.ts';
import { G_RUNNING, G_SCAN, isDeadStatus } from '../src/runtime/layouts/gstatus.ts';
import type { Layout } from '../src/runtime/layouts/layout.ts';
import { Mem } from '../src/runtime/mem.ts';
import { liveTarget, threadsOfRegsets, type Target, type TargetThread } from '../src/runtime/target.ts';
import { readMs } from '../src/runtime/threads.ts';
import { openRuntime, type GoRuntime } from '../src/runtime/runtime-context.ts';
import type { CopiedRun, Copier, CopyResult } from './copy.ts';
import { clipToMaps, joinResults, mergePages, sameMaps, subtractRuns } from './page-runs.ts';
import type { PageRun } from './pagemap.ts';
import { CopiedMemory, LiveMemory, type WalkMemory } from './walk-memory.ts';

/** Bytes of each thread's stack copied on either side of its sp. */
const THREAD_STACK_AROUND_SP = 64 << 10;
/** At most this much of the top of each g0/gsignal stack is copied. */
const SYSTEM_STACK_TOP = 64 << 10;
/** Bytes kept below a parked goroutine's lowest saved sp (slack; nothing there is read). */
const BELOW_SP = 1024;

/** A plan's estimate, for sizing the copy pool before the freeze. */
export interface GoroutinePlan {
  readonly runs: PageRun[];
  readonly bytes: number;
}

export class GoroutinePlanner {
  private readonly mem: LiveMemory;
  private readonly target: Target;
  private readonly layout: Layout;
  private readonly minor: number;
  private readonly allgs: number;
  private readonly allglen: number | undefined;
  private readonly allm: number;
  /** The runtime context's TLS slot finder (runtime-context.ts). */
  private readonly gSlotOf: GoRuntime['gSlot'];
  private readonly writable: [number, number][];
  /** AT_ENTRY: the mapping holding it names the executable's mappings. */
  private readonly entry: number | undefined;
  private readonly arch: ArchSpec;
  /** Offsets in runtime.g of the fields the walk reads. */
  private readonly gOff: { lo: number; hi: number; sp: number; syscallsp: number; status: number; m: number; labels: number };

  /** Everything static (ELF, DWARF, layout, global addresses); call outside the pause. */
  constructor(pid: number, exe: Executable, auxv: Uint8Array, arch: ArchSpec) {
    this.arch = arch;
    const warnings = new WarningSink();
    const atEntry = parseAuxv(auxv).get(AT_ENTRY);
    const loadBias = exe.loadBias(atEntry, warnings, 'the process');
    this.mem = new LiveMemory(pid);
    this.target = liveTarget(pid, arch, this.mem, exe, loadBias);
    const rt = openRuntime(this.target, { warnings });
    this.minor = rt.minor;
    this.layout = rt.layout;
    this.gSlotOf = rt.gSlot;
    const l = this.layout;
    this.gOff = {
      lo: l.off('g.stack.lo'),
      hi: l.off('g.stack.hi'),
      sp: l.off('g.sched.sp'),
      syscallsp: l.off('g.syscallsp'),
      status: l.off('g.atomicstatus'),
      m: l.off('g.m'),
      labels: l.off('g.labels'),
    };
    const hint = 'use --mode full (the default), which copies all resident memory';
    this.allgs = rt.need('runtime.allgs', hint);
    this.allm = rt.need('runtime.allm', hint);
    this.allglen = rt.globals.find('runtime.allglen')?.addr;
    this.writable = exe.writableRanges(loadBias);
    this.entry = atEntry;
  }

  /**
   * What the last `plan` wanted, as merged page runs before clipping to maps: `meta` is everything
   * the walk reads (g structs, allgs, Ms, labels, the TLS slot) plus the writable segments; `stacks`
   * the stack ranges. Kept apart so the freeze can copy the stacks on the workers while it copies
   * and walks `meta`. `metaRuns`/`stackRuns` are them clipped to `maps` (the maps at plan time),
   * reused in the freeze when the maps have not changed since.
   */
  private planned:
    | {
        readonly meta: [number, number][];
        readonly stacks: [number, number][];
        readonly maps: readonly SnapshotMapping[];
        readonly metaRuns: PageRun[];
        readonly stackRuns: PageRun[];
      }
    | undefined;

  /**
   * The ranges to copy, walking the process as it runs (call before the freeze: racy, but only a
   * plan, which `copyFrozen` validates). `threads` are the raw regsets of stopped threads (empty
   * without a freeze).
   */
  plan(maps: readonly SnapshotMapping[], threads: readonly { readonly tid: number; readonly regs: Uint8Array }[]): GoroutinePlan {
    const live = this.mem;
    live.reset();
    const stacks: [number, number][] = [];
    try {
      this.walk(live, maps, threads, (lo, hi) => stacks.push([lo, hi]));
    } finally {
      // Whatever the walk got to (a torn read of the running process can stop it) is still a plan.
      const meta = mergePages([...live.recorded, ...this.writable]);
      const merged = mergePages(stacks);
      const metaRuns = clipToMaps(meta, maps, this.entry);
      const stackRuns = subtractRuns(clipToMaps(merged, maps, this.entry), metaRuns);
      this.planned = { meta, stacks: merged, maps, metaRuns, stackRuns };
    }
    const runs = [...this.planned.metaRuns, ...this.planned.stackRuns];
    return { runs: runs.sort((x, y) => x.addr - y.addr), bytes: runs.reduce((s, r) => s + r.len, 0) };
  }

  /**
   * Inside the freeze: copy what the walk reads (the planned `meta`, and each thread's stack
   * around its sp), start the copy of the planned stacks on the copy workers, walk the frozen copy
   * of `meta` meanwhile (in memory, no syscalls for what the plan covered), join the stack copy,
   * and copy whatever the plan missed — goroutines created or grown since, reads outside the copy —
   * while still frozen. Without a prior `plan`, the walk of the copy finds everything (slower).
   */
  copyFrozen(
    copier: Copier,
    maps: readonly SnapshotMapping[],
    threads: readonly { readonly tid: number; readonly regs: Uint8Array }[],
    onStep?: (step: string) => void,
  ): CopyResult & { readonly validationRuns: number } {
    const p = this.planned;
    let metaRuns: PageRun[];
    let stackRuns: PageRun[];
    if (p !== undefined && sameMaps(p.maps, maps)) {
      metaRuns = p.metaRuns;
      stackRuns = p.stackRuns;
    } else {
      metaRuns = clipToMaps(p?.meta ?? this.writable, maps, this.entry);
      stackRuns = subtractRuns(clipToMaps(p?.stacks ?? [], maps, this.entry), metaRuns);
    }
    // What the walk reads first, on every copy thread (the walk needs it whole); then the stacks,
    // most of the bytes, start on the workers while this thread walks the copy, then joins them.
    // (Starting the stacks first was slower here: the walk and this copy ran 2–3× slower beside
    // a worker copying, and the pause grew.)
    const around = subtractRuns(subtractRuns(clipToMaps(this.threadStacks(maps, threads).ranges, maps, this.entry), metaRuns), stackRuns);
    const metaAll = around.length === 0 ? metaRuns : [...metaRuns, ...around].sort((x, y) => x.addr - y.addr);
    const planned = [...metaAll, ...stackRuns].sort((x, y) => x.addr - y.addr);
    const meta = copier.copy(metaAll, { scan: true });
    onStep?.('meta copied');
    if (meta.gone || meta.denied === true) return { ...meta, validationRuns: 0 };
    const stackJob = copier.start(stackRuns, { scan: true });
    this.mem.reset(); // its cache holds reads of the running process
    const copy = new CopiedMemory(meta.runs, planned, this.mem);
    const want: [number, number][] = [];
    let stacks: CopyResult;
    try {
      this.walk(copy, maps, threads, (lo, hi) => {
        if (!copy.covers(lo, hi)) want.push([lo, hi]);
      });
      onStep?.('walked');
    } finally {
      stacks = copier.finish(stackJob);
    }
    onStep?.('stacks copied');
    const first = joinResults(meta, stacks);
    if (first.gone || first.denied === true || (want.length === 0 && copy.missing.length === 0)) return { ...first, validationRuns: 0 };
    const gaps = subtractRuns(clipToMaps([...copy.missing, ...want], maps, this.entry), planned);
    const second = copier.copy(gaps, { scan: true });
    return { ...joinResults(first, second), validationRuns: gaps.length };
  }

  /**
   * --nonblocking: which goroutines changed while they were copied. Walks the copy (`runs`), then
   * reads every g again and copies every used stack again, right away: a goroutine whose printed
   * fields (status, wait reason, sched, stack bounds, …) or used stack (sp up to stack.hi) differ
   * between the two readings ran meanwhile, and what the copy shows of it may mix two moments.
   * Returns their g addresses. (Fields the runtime writes into parked g's, like GC scan flags, are
   * not compared: they change nothing that is printed.)
   */
  findTorn(copier: Copier, runs: readonly CopiedRun[], maps: readonly SnapshotMapping[]): number[] {
    this.mem.reset();
    const copy = new CopiedMemory(runs, runs.map((r) => ({ addr: r.addr, len: r.bytes.length })), this.mem);
    const seen: { addr: number; lo: number; hi: number }[] = [];
    this.walk(copy, maps, [], () => undefined, (addr, lo, hi) => seen.push({ addr, lo, hi }));
    const gReader = new GReader(this.layout);
    const before = new Mem(copy);
    const firstG = seen.map((s) => tryG(gReader, before, s.addr));
    // The second reading, as soon after the first as possible: g structs, then stacks.
    this.mem.reset();
    this.mem.prefetch(seen.map((s) => s.addr), gReader.span);
    const now = new Mem(this.mem);
    const secondG = seen.map((s) => tryG(gReader, now, s.addr));
    const stackRuns = clipToMaps(seen.map((s) => [s.lo, s.hi] as [number, number]), maps, this.entry);
    const again = copier.copy(stackRuns, { scan: true });
    const second = new CopiedMemory(again.runs, stackRuns, this.mem);
    const torn: number[] = [];
    seen.forEach((s, i) => {
      const a = firstG[i];
      const b = secondG[i];
      const len = s.hi - s.lo;
      const st1 = copy.window(s.lo, len, false);
      const st2 = second.window(s.lo, len, false);
      const same =
        a !== undefined &&
        b !== undefined &&
        sameG(a, b) &&
        st1 !== undefined &&
        st2 !== undefined &&
        Buffer.compare(st1.subarray(s.lo - copy.windowBase, s.lo - copy.windowBase + len), st2.subarray(s.lo - second.windowBase, s.lo - second.windowBase + len)) === 0;
      if (!same) torn.push(s.addr);
    });
    return torn;
  }

  private threadStacks(
    maps: readonly SnapshotMapping[],
    threads: readonly { readonly tid: number; readonly regs: Uint8Array }[],
  ): { threads: TargetThread[]; ranges: [number, number][] } {
    // Undecodable regsets are skipped here; the analyzer of the snapshot warns about them.
    const tthreads = threadsOfRegsets(threads, this.arch, new WarningSink());
    const ranges: [number, number][] = [];
    for (const t of tthreads) {
      const m = maps.find((x) => t.sp >= x.start && t.sp < x.end);
      if (m) ranges.push([Math.max(m.start, t.sp - THREAD_STACK_AROUND_SP), Math.min(m.end, t.sp + THREAD_STACK_AROUND_SP)]);
    }
    return { threads: tthreads, ranges };
  }

  /**
   * Walks what goroutine reports read through `raw` (which sees every read), and passes every
   * stack range they need to `want`.
   */
  private walk(
    raw: WalkMemory,
    maps: readonly SnapshotMapping[],
    threads: readonly { readonly tid: number; readonly regs: Uint8Array }[],
    want: (lo: number, hi: number) => void,
    onG?: (addr: number, usedLo: number, hi: number) => void,
  ): void {
    const mem = new Mem(raw);
    const stack = (lo: number, hi: number): void => {
      if (lo > 0 && hi > lo && Number.isSafeInteger(hi)) want(lo, hi);
    };
    const { threads: tthreads, ranges } = this.threadStacks(maps, threads);
    for (const [lo, hi] of ranges) stack(lo, hi);

    const gReader = new GReader(this.layout);
    const ms = readMs(mem, this.allm, this.layout);
    const vdsoSP = new Map(ms.filter((m) => m.vdsoSP !== 0).map((m) => [m.addr, m.vdsoSP] as const));
    const gAddrs = readAllGs(mem, this.allgs, this.allglen).filter((a) => a !== 0);
    raw.prefetch(gAddrs, gReader.span);
    // Field by field from the g's bytes (no RawG per goroutine): this loop runs inside the freeze.
    const span = gReader.span;
    const o = this.gOff;
    for (const addr of gAddrs) {
      // No slice per g: the bytes holding it, and where it starts in them.
      const b = raw.window(addr, span);
      if (!b) continue;
      const at = addr - raw.windowBase;
      const status = u32(b, at + o.status) & ~G_SCAN;
      if (isDeadStatus(status)) continue;
      const stackLo = u64(b, at + o.lo);
      const stackHi = u64(b, at + o.hi);
      // Below the lowest saved sp a stack holds only dead frames, which no unwind reads. A running
      // goroutine's sp is in its thread's registers (its stack around sp is copied too): whole stack.
      let lo = stackLo;
      let usedLo = stackLo;
      if (status !== G_RUNNING) {
        let min = lowestSP(u64(b, at + o.sp), stackLo, stackHi, Infinity);
        min = lowestSP(u64(b, at + o.syscallsp), stackLo, stackHi, min);
        if (vdsoSP.size > 0) min = lowestSP(vdsoSP.get(u64(b, at + o.m)) ?? 0, stackLo, stackHi, min);
        if (min !== Infinity) {
          lo = Math.max(stackLo, min - BELOW_SP);
          usedLo = min;
        }
      }
      if (onG !== undefined && usedLo === usedLo && stackHi === stackHi) onG(addr, usedLo, stackHi);
      if (lo === lo && stackHi === stackHi) stack(lo, stackHi); // NaN: not a pointer
      const labels = u64(b, at + o.labels);
      if (labels !== 0 && labels === labels) readLabels(mem, labels, this.minor);
    }
    for (const m of ms) {
      for (const g of [m.g0, m.gsignal]) {
        if (g === 0) continue;
        try {
          const r = gReader.read(mem, g);
          // cgo threads' g0 bounds are the whole pthread stack (MiBs): its top only; where the
          // thread is now is copied around its sp.
          stack(Math.max(r.stackLo, r.stackHi - SYSTEM_STACK_TOP), r.stackHi);
        } catch {
          // an M being created: nothing to copy
        }
      }
    }
    // The TLS slot holding g (amd64), which the analyzer reads to bind threads to goroutines.
    if (!this.arch.usesLR && tthreads.length > 0) {
      const target: Target = { ...this.target, memory: raw, threads: tthreads };
      const gSlot = this.gSlotOf(target, mem, ms);
      for (const t of tthreads) if (t.tlsBase) raw.tryRead(t.tlsBase + gSlot, 8);
    }
  }
}

/** The lower of `min` and `sp`, when sp lies in (lo, hi]. */
function lowestSP(sp: number, lo: number, hi: number, min: number): number {
  return sp > lo && sp <= hi && sp < min ? sp : min;
}

function tryG(reader: GReader, mem: Mem, addr: number): RawG | undefined {
  try {
    return reader.read(mem, addr);
  } catch {
    return undefined;
  }
}

/** The g fields goroutine reports print or unwind from (GC flags and the like are left out). */
const PRINTED_G_FIELDS = [
  'goid', 'statusWord', 'stackLo', 'stackHi', 'm', 'schedSP', 'schedPC', 'schedLR',
  'syscallSP', 'syscallPC', 'waitsince', 'waitreason', 'lockedm', 'labels',
] as const satisfies readonly (keyof RawG)[];

function sameG(a: RawG, b: RawG): boolean {
  return PRINTED_G_FIELDS.every((k) => a[k] === b[k]);
}
