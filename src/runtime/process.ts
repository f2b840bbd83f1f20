/**
 * The façade: a Target (core or snapshot) in, a ProcessModel out. Mirrors what `runtime.Stack(buf,
 * true)` does (`tracebackothers`, `goroutineheader`, `traceback1`, `printcreatedby` in
 * `src/runtime/traceback.go`), but over a frozen image instead of the live runtime.
 */
import { UnmappedAddressError } from '../base/errors.ts';
import { fieldOffset, type DwarfIndex } from '../format/dwarf/index.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { Goroutine, ProcessModel, ThreadInfo } from './model.ts';
import type { Target } from './target.ts';
import type { Mem } from './mem.ts';
import type { Globals } from './globals.ts';
import { openRuntime } from './runtime-context.ts';
import { isDeadStatus } from './layouts/gstatus.ts';
import { runtimeData } from './layouts/runtime-data.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';
import { openModule } from './moduledata.ts';
import { GReader, RawGTable, readAllGs } from './goroutines.ts';
import { bindThreads, readMs, type ThreadBinding } from './threads.ts';
import { estimateNow } from './clock.ts';
import { checkLayoutAgainstMemory, resolveWaitReasons } from './binary-facts.ts';
import { buildGoroutine, GoroutineMemo, type BuildContext } from './goroutine-model.ts';
import { StackTable } from './stacks.ts';
import { HeapGuard } from './heap-guard.ts';
import type { CodeTable } from './code.ts';
import { cachedCode } from './code-cache.ts';

/** Goroutines between two heap checks (a check is a cheap v8.getHeapStatistics call). */
const GUARD_EVERY = 2000;

export interface ReadOptions {
  onProgress?: ((message: string) => void) | undefined;
  /** Read the binary as if it had no DWARF (built-in layout tables only): for tests and diagnosis. */
  ignoreDwarf?: boolean | undefined;
  /**
   * Read each frame's argument words (default true). Reports that never print arguments (summary,
   * top) turn it off: at a million goroutines the argument reads are a third of the walk.
   */
  frameArgs?: boolean | undefined;
  /** Share of V8's heap limit the walk may fill before it stops with ResourceLimitError (heap-guard.ts). */
  heapFraction?: number | undefined;
}

export function readProcess(target: Target, opts: ReadOptions = {}): ProcessModel {
  const rt = openRuntime(target, { ignoreDwarf: opts.ignoreDwarf });
  const { mem, dwarf, globals, minor, layout, rules, warnings, goVersion } = rt;

  opts.onProgress?.('reading the function table');
  const module = openModule(target, mem, rt.need('runtime.firstmoduledata'), minor, dwarf);
  const code: CodeTable = cachedCode(module.table);

  const waitNames = resolveWaitReasons(mem, globals, dwarf, minor, warnings);

  opts.onProgress?.('reading goroutines');
  const gAddrs = readAllGs(mem, rt.need('runtime.allgs'), globals.find('runtime.allglen')?.addr);
  const gReader = new GReader(layout);
  const gAddrSet = new Set(gAddrs);

  const ms = readMs(mem, rt.need('runtime.allm'), layout);
  const gSlot = rt.gSlot(target, mem, ms);
  const bindings = bindThreads(target, mem, ms, gSlot, (g) => gAddrSet.has(g));
  const bindingByCurg = new Map<number, ThreadBinding>();
  for (const b of bindings) if (b.m?.curg) bindingByCurg.set(b.m.curg, b);
  const mByAddr = new Map(ms.map((m) => [m.addr, m]));

  const guard = new HeapGuard('goroutines', opts.heapFraction);
  const raws = new RawGTable();
  let seen = 0;
  for (const addr of gAddrs) {
    if (++seen % GUARD_EVERY === 0) guard.check(seen, gAddrs.length);
    if (addr === 0) continue;
    try {
      const g = gReader.read(mem, addr);
      if (!isDeadStatus(g.status)) raws.push(g);
    } catch (e) {
      warnings.add('unreadable-g', `goroutine struct at 0x${addr.toString(16)} is not readable (${(e as Error).message})`);
    }
  }

  checkLayoutAgainstMemory(raws, layout, warnings);

  const clock = estimateNow(target.monotonicNow, [
    ['sched.procresizetime', readOptionalField(mem, globals.find('runtime.sched')?.addr, layout.find('schedt.procresizetime'))],
    ['sched.lastpoll', readOptionalField(mem, globals.find('runtime.sched')?.addr, layout.find('schedt.lastpoll'))],
    ['memstats.last_gc_nanotime', readOptionalField(mem, globals.find('runtime.memstats')?.addr, dwarf ? fieldOffset(dwarf, 'runtime.mstats', 'last_gc_nanotime') : undefined)],
    ['newest g.waitsince', newestWaitsince(raws)],
  ]);
  if (clock?.estimated && anyWaitsince(raws)) {
    warnings.add('wait-minutes-estimated', `a core has no clock: wait minutes use the ${clock.source} as "now", so they are lower bounds`);
  }

  const finalizerRunning = readFinalizerRunning(mem, globals, minor, warnings);
  const labelsShown = tracebackLabelsOn(mem, globals, dwarf, rules);

  const ctx: BuildContext = {
    target, mem, code, rules, minor, waitNames, clock, finalizerRunning, bindingByCurg, mByAddr, warnings,
    stacks: new StackTable(code, rules, warnings),
    frameArgs: opts.frameArgs ?? true,
    memo: new GoroutineMemo(),
  };
  // Unwind in stack address order, so the core's blocks are read once each instead of once per
  // goroutine (allgs order jumps between stack spans); the model keeps allgs order.
  const order = Array.from({ length: raws.length }, (_, i) => i).sort((a, b) => raws.stackLo(a) - raws.stackLo(b));
  const goroutines = new Array<Goroutine>(raws.length);
  let done = 0;
  for (const i of order) {
    goroutines[i] = buildGoroutine(raws.at(i), ctx);
    if (++done % GUARD_EVERY === 0) {
      guard.check(done, raws.length);
      if (done % 10000 === 0) opts.onProgress?.(`unwound ${done} of ${raws.length} goroutines`);
    }
  }

  const goidByG = new Map<number, number>();
  for (const g of goroutines) if (bindingByCurg.has(g.address)) goidByG.set(g.address, g.id);
  const threads: ThreadInfo[] = bindings.map((b) => {
    const g = b.m?.curg ? goidByG.get(b.m.curg) : undefined;
    return {
      tid: b.thread.tid,
      state: b.thread.state,
      role: b.role,
      goroutine: g,
      mId: b.m?.id,
      pc: b.thread.pc,
      function: code.findFunc(b.thread.pc)?.name,
    };
  });

  return {
    goVersion,
    arch: target.arch.name,
    executable: target.exe.path,
    executableFoundBy: target.exeFoundBy,
    goroot: gorootOf(code),
    input: { path: target.path, kind: target.kind, pid: target.pid },
    provenance: {
      layouts: layout.source === 'DWARF' ? 'DWARF' : layout.source,
      symbols: globals.source === 'symtab' ? 'symbol table' : globals.source,
      waitReasons: waitNames.source,
    },
    buildInfo: target.buildInfo
      ? {
          path: target.buildInfo.path,
          mainModule: target.buildInfo.main?.path,
          mainVersion: target.buildInfo.main?.version,
          settings: target.buildInfo.settings,
        }
      : undefined,
    threads,
    goroutines,
    clock,
    traceback: {
      createdByGoroutine: rules.createdByGoroutine,
      elision: rules.elision,
      genericNames: rules.genericNames,
      labels: labelsShown,
    },
    warnings: warnings.list,
  };
}

/** Largest g.waitsince: the newest moment the process recorded, a floor for "now". */
function newestWaitsince(raws: RawGTable): number {
  let newest = 0;
  for (let i = 0; i < raws.length; i++) {
    const w = raws.waitsince(i);
    if (w !== 0) newest = Math.max(newest, w);
  }
  return newest;
}

function anyWaitsince(raws: RawGTable): boolean {
  for (let i = 0; i < raws.length; i++) if (raws.waitsince(i) !== 0) return true;
  return false;
}

function readOptionalField(mem: Mem, base: number | undefined, off: number | undefined): number | undefined {
  if (base === undefined || off === undefined) return undefined;
  const b = mem.raw.tryRead(base + off, 8);
  if (!b) return undefined;
  const v = mem.i64(base + off, 'runtime field');
  return Number.isNaN(v) ? undefined : v;
}

function readFinalizerRunning(mem: Mem, globals: Globals, minor: number, warnings: WarningSink): boolean {
  const flag = runtimeData(minor).finalizerFlag;
  const f = globals.find(flag.global);
  if (!f) return false;
  try {
    const v = flag.size === 1 ? mem.u8(f.addr, flag.global) : mem.u32(f.addr, flag.global);
    return (v & flag.mask) !== 0;
  } catch (e) {
    if (!(e instanceof UnmappedAddressError)) throw e;
    warnings.add('finalizer-state', `${flag.global} is not in the memory (${e.message}): the finalizer goroutine is taken to be idle`);
    return false;
  }
}

/** 1.26+ print labels only when `debug.tracebacklabels` is 1 (1.27 defaults it on for go ≥1.27 modules). */
function tracebackLabelsOn(mem: Mem, globals: Globals, dwarf: DwarfIndex | undefined, rules: TracebackRules): 'none' | 'inside' | 'after' {
  if (rules.labels === 'none') return 'none';
  const dbg = globals.find('runtime.debug');
  // `var debug struct{…}` is an unnamed struct type: find the member through the variable's type.
  const off = dwarf?.variable('runtime.debug')?.type?.resolve().member('tracebacklabels')?.offset;
  if (!dbg || off === undefined) return 'none';
  const v = mem.raw.tryRead(dbg.addr + off, 4);
  return v && v[0] === 1 ? rules.labels : 'none';
}

/** GOROOT as recorded in the binary's file table: the path of runtime.goexit's file minus /src/runtime/… */
function gorootOf(code: CodeTable): string | undefined {
  const f = code.funcByName('runtime.goexit');
  if (!f) return undefined;
  const file = code.fileLine(f, f.entry).file;
  const i = file.lastIndexOf('/src/runtime/');
  if (i >= 0) return file.slice(0, i);
  return file.startsWith('runtime/') ? '' : undefined;
}

