/**
 * The façade: a Target (core or snapshot) in, a ProcessModel out. Mirrors what `runtime.Stack(buf,
 * true)` does (`tracebackothers`, `goroutineheader`, `traceback1`, `printcreatedby` in
 * `src/runtime/traceback.go`), but over a frozen image instead of the live runtime.
 */
import { NotGoError, UnsupportedError } from '../base/errors.ts';
import { WarningSink } from '../base/warnings.ts';
import { parseDwarf, fieldOffset, type DwarfIndex } from '../format/dwarf/index.ts';
import type { Frame, Goroutine, ProcessModel, ThreadInfo } from './model.ts';
import type { Target } from './target.ts';
import { Mem } from './mem.ts';
import { Globals } from './globals.ts';
import { addRecoveredGlobals } from './symbols/recover.ts';
import { recoverGSlot } from './symbols/tls-slot.ts';
import { layoutFromDwarf } from './layouts/from-dwarf.ts';
import { tableLayout } from './layouts/go-tables.ts';
import type { Layout } from './layouts/layout.ts';
import { waitReasonTable } from './layouts/wait-reasons.ts';
import { G_RUNNING, G_SYSCALL, G_WAITING, G_LEAKED, isDeadStatus, statusName } from './layouts/gstatus.ts';
import { tracebackRules, type TracebackRules } from './layouts/traceback-rules.ts';
import { openModule, type Module } from './moduledata.ts';
import { GReader, readAllGs, type RawG } from './goroutines.ts';
import { amd64GSlot, bindThreads, readMs, type ThreadBinding } from './threads.ts';
import { unwind, type UnwindStart } from './unwind.ts';
import { logicalFrames, showFrame } from './frames.ts';
import { printedFuncName } from './func-names.ts';
import { estimateNow, waitMinutes, type ClockReading } from './clock.ts';
import { readLabels } from './labels.ts';
import { parseGoVersion } from './version.ts';
import type { CodeTable } from './code.ts';
import { cachedCode } from './code-cache.ts';

const MAX_PHYSICAL_FRAMES = 100_000;

export interface ReadOptions {
  onProgress?: ((message: string) => void) | undefined;
  /** Read the binary as if it had no DWARF (built-in layout tables only): for tests and diagnosis. */
  ignoreDwarf?: boolean | undefined;
}

export function readProcess(target: Target, opts: ReadOptions = {}): ProcessModel {
  const warnings = new WarningSink();
  for (const w of target.warnings) warnings.add(w.kind, w.message);
  const mem = new Mem(target.memory);

  const dwarf = opts.ignoreDwarf ? undefined : loadDwarf(target, warnings);
  const globals = new Globals(target, dwarf);

  const goVersion = resolveGoVersion(target, mem, globals, dwarf);
  const version = parseGoVersion(goVersion);
  if (!version) throw new NotGoError(`cannot understand the Go version string ${JSON.stringify(goVersion)}`);
  const minor = version.minor;
  if (minor < 12) {
    throw new UnsupportedError('go-version', `${goVersion} is older than the oldest Go gospy reads (go1.12)`);
  }
  const rules = tracebackRules(minor);

  const layout = resolveLayout(dwarf, minor, warnings);
  addRecoveredGlobals(target, mem, globals, minor, layout, warnings);
  const need = (name: Parameters<Globals['find']>[0]): number => {
    const g = globals.find(name);
    if (!g) {
      throw new UnsupportedError('symbols', `cannot find ${name}: the executable has no symbol table and no DWARF, and it could not be recovered from the code`, {
        hint: 'the core and executable may not belong together; otherwise analyze with an unstripped build of the same source',
      });
    }
    return g.addr;
  };

  opts.onProgress?.('reading the function table');
  const module = openModule(target, mem, need('runtime.firstmoduledata'), minor, dwarf);
  const code: CodeTable = cachedCode(module.table);

  const waitNames = resolveWaitReasons(mem, globals, dwarf, minor, warnings);

  opts.onProgress?.('reading goroutines');
  const gAddrs = readAllGs(mem, need('runtime.allgs'), globals.find('runtime.allglen')?.addr);
  const gReader = new GReader(layout);
  const gAddrSet = new Set(gAddrs);

  const ms = readMs(mem, need('runtime.allm'), layout);
  const tlsg = target.exe.symbol(target.arch.name === 'amd64' ? 'runtime.tlsg' : 'runtime.tls_g');
  // Stripped external-link amd64 binaries no longer name runtime.tlsg: find its slot in the core.
  const gSlot = (tlsg === undefined ? recoverGSlot(target, mem, ms) : undefined) ?? amd64GSlot(target, tlsg?.value);
  const bindings = bindThreads(target, mem, ms, gSlot, (g) => gAddrSet.has(g));
  const bindingByCurg = new Map<number, ThreadBinding>();
  for (const b of bindings) if (b.m?.curg) bindingByCurg.set(b.m.curg, b);
  const mByAddr = new Map(ms.map((m) => [m.addr, m]));

  const raws: RawG[] = [];
  for (const addr of gAddrs) {
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
    ['newest g.waitsince', raws.reduce((a, g) => Math.max(a, g.waitsince), 0)],
  ]);
  if (clock?.estimated && raws.some((g) => g.waitsince !== 0)) {
    warnings.add('wait-minutes-estimated', `a core has no clock: wait minutes use the ${clock.source} as "now", so they are lower bounds`);
  }

  const finalizerRunning = readFinalizerRunning(mem, globals, minor);
  const labelsShown = tracebackLabelsOn(mem, globals, dwarf, rules);

  const ctx: BuildContext = { target, mem, code, rules, minor, waitNames, clock, finalizerRunning, bindingByCurg, mByAddr, warnings };
  const goroutines: Goroutine[] = [];
  let done = 0;
  for (const g of raws) {
    goroutines.push(buildGoroutine(g, ctx));
    if (++done % 10000 === 0) opts.onProgress?.(`unwound ${done} of ${raws.length} goroutines`);
  }

  const goidByG = new Map(raws.map((g) => [g.addr, g.goid]));
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

interface BuildContext {
  readonly target: Target;
  readonly mem: Mem;
  readonly code: CodeTable;
  readonly rules: TracebackRules;
  readonly minor: number;
  readonly waitNames: { names: readonly string[]; source: string };
  readonly clock: ClockReading | undefined;
  readonly finalizerRunning: boolean;
  readonly bindingByCurg: ReadonlyMap<number, ThreadBinding>;
  readonly mByAddr: ReadonlyMap<number, { vdsoSP: number; vdsoPC: number }>;
  readonly warnings: WarningSink;
}

function buildGoroutine(g: RawG, ctx: BuildContext): Goroutine {
  const { code, rules, target, mem } = ctx;
  const binding = ctx.bindingByCurg.get(g.addr);
  let start: UnwindStart;
  let fromRegisters = false;
  if (g.status === G_RUNNING && binding && binding.currentG === g.addr) {
    const t = binding.thread;
    start = { pc: t.pc, sp: t.sp, lr: t.lr, trap: true, syscall: false };
    fromRegisters = true;
  } else if (g.syscallSP !== 0) {
    start = { pc: g.syscallPC, sp: g.syscallSP, lr: 0, trap: false, syscall: true };
  } else {
    start = { pc: g.schedPC, sp: g.schedSP, lr: g.schedLR, trap: false, syscall: false };
  }
  const m = g.m ? ctx.mByAddr.get(g.m) : undefined;
  if (m && m.vdsoSP !== 0 && !fromRegisters) start = { pc: m.vdsoPC, sp: m.vdsoSP, lr: 0, trap: false, syscall: false };

  let frames: Frame[] = [];
  let unwindError: string | undefined;
  const running = g.status === G_RUNNING;
  if (!running || fromRegisters) {
    const result = unwind(start, {
      code,
      arch: target.arch,
      readPtr: (a) => mem.ptr(a, 'goroutine stack'),
      injectedCalls: rules.injectedCalls,
      maxFrames: MAX_PHYSICAL_FRAMES,
    });
    unwindError = result.error;
    frames = logicalFrames(result.frames, code, { read8: (a) => mem.raw.tryRead(a, 8) }, rules);
  }

  const waiting = g.status === G_WAITING || g.status === G_LEAKED;
  const reason = waiting && g.waitreason !== 0 ? (ctx.waitNames.names[g.waitreason] ?? 'unknown wait reason') : '';
  const minutes = g.status === G_WAITING || g.status === G_SYSCALL ? waitMinutes(ctx.clock, g.waitsince) : undefined;

  const startFn = code.findFunc(g.startpc);
  return {
    id: g.goid,
    address: g.addr,
    status: statusName(g.status),
    statusCode: g.status,
    scan: g.scan,
    waitReason: reason,
    waitMinutes: minutes,
    lockedToThread: g.lockedm !== 0,
    system: isSystemGoroutine(startFn?.name, startFn?.special, ctx),
    thread: binding?.thread.tid,
    startFunction: startFn ? printedFuncName(startFn.name, rules.genericNames) : undefined,
    frames,
    fromRegisters,
    createdBy: createdBy(g, code, rules),
    labels: readLabels(mem, g.labels, ctx.minor),
    unwindError,
  };
}

function createdBy(g: RawG, code: CodeTable, rules: TracebackRules): Goroutine['createdBy'] {
  if (g.goid === 1 || g.gopc === 0) return undefined;
  const f = code.findFunc(g.gopc);
  if (!f) return undefined;
  const tracepc = g.gopc > f.entry ? g.gopc - code.quantum : g.gopc;
  const { file, line } = code.fileLine(f, tracepc);
  return {
    function: printedFuncName(f.name, rules.genericNames),
    file,
    line,
    pc: g.gopc,
    entry: f.entry,
    goroutine: rules.createdByGoroutine && g.parentGoid !== 0 ? g.parentGoid : undefined,
    visible: showFrame(f.name, f.special, false, undefined, rules),
  };
}

/** `isSystemGoroutine(gp, false)`: decided by the start function, not the current frame. */
function isSystemGoroutine(name: string | undefined, special: string | undefined, ctx: BuildContext): boolean {
  if (name === undefined) return false;
  if (special !== undefined && ctx.rules.userStartSpecials.has(special)) return false;
  if (special === 'runfinq' || special === 'runFinalizers') return !ctx.finalizerRunning;
  return name.startsWith('runtime.');
}

function loadDwarf(target: Target, warnings: WarningSink): DwarfIndex | undefined {
  const info = target.exe.sectionBytes('.debug_info');
  const abbrev = target.exe.sectionBytes('.debug_abbrev');
  if (!info || !abbrev) return undefined;
  try {
    return parseDwarf({
      info,
      abbrev,
      str: target.exe.sectionBytes('.debug_str'),
      lineStr: target.exe.sectionBytes('.debug_line_str'),
      addr: target.exe.sectionBytes('.debug_addr'),
      strOffsets: target.exe.sectionBytes('.debug_str_offsets'),
      rnglists: target.exe.sectionBytes('.debug_rnglists'),
      loclists: target.exe.sectionBytes('.debug_loclists'),
    });
  } catch (e) {
    warnings.add('dwarf-unreadable', `the executable's DWARF could not be read (${(e as Error).message}); using built-in layouts`);
    return undefined;
  }
}

function resolveGoVersion(target: Target, mem: Mem, globals: Globals, dwarf: DwarfIndex | undefined): string {
  if (target.goVersion) return target.goVersion;
  const bv = globals.find('runtime.buildVersion');
  if (bv) {
    try {
      const s = mem.goString(bv.addr, 'runtime.buildVersion', 256);
      if (s.startsWith('go') || s.startsWith('devel')) return s;
    } catch {
      /* fall through to DWARF */
    }
  }
  const producer = dwarf?.producer;
  const m = producer ? /go1\.\d+(\.\d+)?((rc|beta)\d+)?/.exec(producer) : null;
  if (m) return m[0];
  throw new NotGoError(`${target.exe.path} is not a Go program (no Go build info, no runtime.buildVersion)`, {
    hint: 'gospy reads cores of Go programs; pass the Go executable that produced the core with --exe',
  });
}

/** Newest Go minor whose facts gospy's tables were made from. */
const NEWEST_KNOWN_MINOR = 27;

function resolveLayout(dwarf: DwarfIndex | undefined, minor: number, warnings: WarningSink): Layout {
  if (dwarf) {
    const { layout, missing } = layoutFromDwarf(dwarf);
    if (missing.length === 0) {
      if (minor > NEWEST_KNOWN_MINOR) {
        warnings.add('go-version-newer', `go1.${minor} is newer than gospy's tables (up to go1.${NEWEST_KNOWN_MINOR}); struct layouts come from the binary's DWARF, other rules from go1.${NEWEST_KNOWN_MINOR}`);
      }
      return layout;
    }
    warnings.add('dwarf-layout-incomplete', `DWARF lacks ${missing.join(', ')}; using built-in layouts`);
  }
  const t = tableLayout(minor);
  if (!t.exact) {
    warnings.add('go-version-newer', `go1.${minor} is not in gospy's layout tables; using the layout of go1.${t.minor}, which may be wrong`);
  }
  return t.layout;
}

function resolveWaitReasons(
  mem: Mem,
  globals: Globals,
  dwarf: DwarfIndex | undefined,
  minor: number,
  warnings: WarningSink,
): { names: readonly string[]; source: string } {
  const g = globals.find('runtime.waitReasonStrings');
  const count = g?.size !== undefined ? g.size / 16 : dwarf?.variable('runtime.waitReasonStrings')?.type?.count;
  if (g && count && count > 0 && count < 256) {
    try {
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(mem.goString(g.addr + i * 16, 'runtime.waitReasonStrings', 256));
      return { names, source: 'the binary (runtime.waitReasonStrings)' };
    } catch (e) {
      warnings.add('wait-reasons', `runtime.waitReasonStrings is unreadable (${(e as Error).message}); using built-in names`);
    }
  }
  return { names: waitReasonTable(minor), source: `built-in table for go1.${minor}` };
}

function readOptionalField(mem: Mem, base: number | undefined, off: number | undefined): number | undefined {
  if (base === undefined || off === undefined) return undefined;
  const b = mem.raw.tryRead(base + off, 8);
  if (!b) return undefined;
  const v = mem.i64(base + off, 'runtime field');
  return Number.isNaN(v) ? undefined : v;
}

function readFinalizerRunning(mem: Mem, globals: Globals, minor: number): boolean {
  try {
    if (minor <= 19) {
      const f = globals.find('runtime.fingRunning');
      return f ? mem.u8(f.addr, 'runtime.fingRunning') !== 0 : false;
    }
    const f = globals.find('runtime.fingStatus');
    return f ? (mem.u32(f.addr, 'runtime.fingStatus') & 2) !== 0 : false;
  } catch {
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

/**
 * A layout taken from a table (no DWARF) or a newer Go may be wrong; what memory shows tells. Parked
 * goroutines must have their saved sp inside their stack, and goroutine ids must be distinct.
 */
function checkLayoutAgainstMemory(gs: readonly RawG[], layout: Layout, warnings: WarningSink): void {
  let parked = 0;
  let outside = 0;
  const ids = new Set<number>();
  let duplicates = 0;
  for (const g of gs) {
    if (ids.has(g.goid)) duplicates++;
    ids.add(g.goid);
    if (g.status !== G_WAITING || g.syscallSP !== 0) continue;
    parked++;
    if (!(g.stackLo < g.schedSP && g.schedSP <= g.stackHi)) outside++;
  }
  if (duplicates > gs.length / 10 || (parked > 0 && outside > parked / 10)) {
    warnings.add(
      'layout-suspect',
      `the ${layout.source} does not fit this process (${outside} of ${parked} parked goroutines have a saved sp outside their stack, ${duplicates} duplicate ids); results may be wrong`,
    );
  }
}
