/**
 * Runtime globals of a stripped executable (no .symtab, no DWARF), "recovered from code"
 * (docs/support.md, stripped binaries): firstmoduledata from the pclntab pointer scan (moduledata-scan.ts), then the
 * data references in the code of small runtime functions found by name in the pclntab
 * (recipes.ts), each candidate validated against the core's memory before it is accepted:
 * allgs must be a {ptr, len ≤ cap} slice of g's (stack.lo ≤ stack.hi, distinct goids), allglen
 * must equal len(allgs), allm must start an alllink list of M's whose procids are the core's
 * threads, sched.goidgen must cover every goid. Addresses are found link-time and returned + loadBias.
 */
import { u64 } from '../../base/bytes.ts';
import { GospyError } from '../../base/errors.ts';
import type { WarningSink } from '../../base/warnings.ts';
import { REQUIRED_GLOBALS, optionalGlobalsWithEffect, type GlobalName, type GlobalRef, type Globals } from '../globals.ts';
import type { Target } from '../target.ts';
import type { Layout } from '../layouts/layout.ts';
import type { Mem } from '../mem.ts';
import type { LinkTimeImage } from '../../memory/executable.ts';
import { fileModuleTable, findModuledata, type FileModule } from './moduledata-scan.ts';
import { recipesFor, type Recipe } from './recipes.ts';
import { scanAdrpRefs } from './arm64-refs.ts';
import { scanRipRefs, type DataRef } from './x86-refs.ts';
import type { PclnTable } from '../../format/gosym/index.ts';

export interface RecoverInput {
  readonly image: LinkTimeImage;
  readonly mem: Mem;
  readonly loadBias: number;
  readonly minor: number;
  readonly layout: Layout;
  /** Thread ids in the core (M's procids are matched against them). */
  readonly threadIds: readonly number[];
}

export interface Recovered {
  /** Runtime addresses. */
  readonly globals: Map<GlobalName, GlobalRef>;
  /** Link-time addresses (what a symbol table would say). */
  readonly linkTime: Map<GlobalName, number>;
  /** Globals looked for but not found, with the reason. */
  readonly missing: { name: GlobalName; why: string }[];
}

const MAX_GS = 10_000_000;
const MAX_MS = 100_000;
/** How many g's / m's a validation reads at most. */
const CHECK_LIMIT = 4096;

export function recoverGlobals(input: RecoverInput): Recovered {
  const out: Recovered = { globals: new Map(), linkTime: new Map(), missing: [] };
  const recipes = recipesFor(input.minor);
  const fm = findModuledata(input.image, input.minor);
  if (!fm) {
    out.missing.push({ name: 'runtime.firstmoduledata', why: 'no pclntab/moduledata pair found in the executable' });
    for (const r of recipes) out.missing.push({ name: r.global, why: 'no moduledata' });
    return out;
  }
  const bias = input.loadBias;
  // The relocated copy in the core must agree with the file: moduledata.text + bias.
  if (input.mem.tryPtr(fm.addr + bias + fm.layout.text) !== fm.text + bias) {
    out.missing.push({ name: 'runtime.firstmoduledata', why: `moduledata at 0x${(fm.addr + bias).toString(16)} in the core does not match the executable` });
    return out;
  }
  put(out, 'runtime.firstmoduledata', fm.addr, bias);

  let table: PclnTable;
  try {
    table = fileModuleTable(input.image, fm, input.minor);
  } catch (e) {
    for (const r of recipes) out.missing.push({ name: r.global, why: `the executable's pclntab does not decode (${(e as Error).message})` });
    return out;
  }
  const refCache = new Map<string, DataRef[] | undefined>();
  const refsOf = (fn: string): DataRef[] | undefined => {
    if (!refCache.has(fn)) {
      let refs: DataRef[] | undefined;
      try {
        refs = functionRefs(input.image, table, fm, fn);
      } catch (e) {
        if (!(e instanceof GospyError)) throw e; // a corrupt function table: the function is not found
      }
      refCache.set(fn, refs);
    }
    return refCache.get(fn);
  };
  const st: PickState = { input, fm, allgs: undefined, maxGoid: undefined };
  for (const r of recipes) {
    if (out.linkTime.has(r.global)) continue;
    const refs = refsOf(r.func);
    if (!refs) {
      if (!out.missing.some((m) => m.name === r.global)) out.missing.push({ name: r.global, why: `${r.func} is not in the function table` });
      continue;
    }
    const addr = pick(r, refs, st);
    const i = out.missing.findIndex((m) => m.name === r.global);
    if (addr === undefined) {
      if (i < 0) out.missing.push({ name: r.global, why: `no reference in ${r.func} passed validation against the core` });
      continue;
    }
    if (i >= 0) out.missing.splice(i, 1);
    put(out, r.global, addr, bias);
  }
  return out;
}

function put(out: Recovered, name: GlobalName, linkAddr: number, bias: number): void {
  out.linkTime.set(name, linkAddr);
  out.globals.set(name, { addr: linkAddr + bias, size: undefined });
}

/** Data references (link-time targets inside the module's data and bss) in one function's code. */
export function functionRefs(img: LinkTimeImage, table: PclnTable, fm: FileModule, fn: string): DataRef[] | undefined {
  const f = table.funcByName(fn);
  if (!f || !(f.end > f.entry) || f.end - f.entry > 1 << 20) return undefined;
  const code = img.read(f.entry, f.end - f.entry);
  if (!code) return undefined;
  const refs = img.arch === 'arm64' ? scanAdrpRefs(code, f.entry) : scanRipRefs(code, f.entry);
  return refs.filter((r) => r.target >= fm.dataStart && r.target < fm.dataEnd);
}

interface PickState {
  readonly input: RecoverInput;
  readonly fm: FileModule;
  allgs: { addr: number; len: number; ptr: number } | undefined;
  maxGoid: number | undefined;
}

function pick(r: Recipe, refs: readonly DataRef[], st: PickState): number | undefined {
  const targets = [...new Set(refs.map((x) => x.target))].filter((t) => t % 8 === 0);
  const tset = new Set(targets);
  const { mem, loadBias: bias, layout } = st.input;
  switch (r.rule) {
    case 'slice-of-g': {
      for (const x of targets) {
        if (!tset.has(x + 8) || !tset.has(x + 16) || !inRange(x, st.fm.bss)) continue;
        const v = checkAllgs(mem, x + bias, layout);
        if (v) {
          st.allgs = { addr: x, len: v.len, ptr: v.ptr };
          st.maxGoid = v.maxGoid;
          return x;
        }
      }
      return undefined;
    }
    case 'length-of-allgs': {
      const a = st.allgs;
      if (!a) return undefined;
      for (const y of targets) {
        if (y >= a.addr && y < a.addr + 24) continue;
        if (mem.tryPtr(y + bias) === a.len) return y;
      }
      return undefined;
    }
    case 'm-list': {
      let best: number | undefined;
      let bestScore = 0;
      for (const y of targets) {
        if (!inRange(y, st.fm.bss)) continue;
        const score = checkMList(mem, y + bias, layout, st.input.threadIds);
        if (score > bestScore) {
          best = y;
          bestScore = score;
        }
      }
      return best;
    }
    case 'locked-field': {
      const counts = new Map<number, number>();
      for (const x of refs) counts.set(x.target, (counts.get(x.target) ?? 0) + 1);
      if (st.maxGoid === undefined) return undefined;
      for (const [t, n] of counts) {
        if (n < 2) continue;
        for (const off of r.fieldOffsets ?? []) {
          const s = t - off;
          if (s % 8 !== 0 || !inRange(s, st.fm.bss)) continue;
          const goidgen = mem.tryPtr(s + bias);
          // sched.goidgen hands out goids in batches (_GoidCacheBatch = 16 per P): ≥ every goid in use.
          if (goidgen !== undefined && goidgen >= st.maxGoid && goidgen - st.maxGoid < 1 << 20) return s;
        }
      }
      return undefined;
    }
  }
}

function inRange(a: number, r: readonly [number, number]): boolean {
  return a >= r[0] && a < r[1];
}

/** allgs at runtime address `a`: a slice of g's with sane stacks and distinct goids. */
function checkAllgs(mem: Mem, a: number, layout: Layout): { len: number; ptr: number; maxGoid: number } | undefined {
  const hdr = mem.raw.tryRead(a, 24);
  if (!hdr) return undefined;
  const ptr = u64(hdr, 0);
  const len = u64(hdr, 8);
  const cap = u64(hdr, 16);
  if (!(ptr > 0 && len > 0 && len <= cap && cap <= MAX_GS)) return undefined;
  const n = Math.min(len, CHECK_LIMIT);
  const arr = mem.raw.tryRead(ptr, n * 8);
  if (!arr) return undefined;
  const lo = layout.find('g.stack.lo');
  const hi = layout.find('g.stack.hi');
  const goidOff = layout.find('g.goid');
  if (lo === undefined || hi === undefined || goidOff === undefined) return undefined;
  const goids = new Set<number>();
  let maxGoid = 0;
  let live = 0;
  for (let i = 0; i < n; i++) {
    const g = u64(arr, i * 8);
    if (!(g > 0)) return undefined;
    const slo = mem.tryPtr(g + lo);
    const shi = mem.tryPtr(g + hi);
    const goid = mem.tryPtr(g + goidOff);
    if (slo === undefined || shi === undefined || goid === undefined || slo > shi) return undefined;
    if (slo < shi) live++;
    if (goid !== 0) {
      if (goids.has(goid)) return undefined;
      goids.add(goid);
      maxGoid = Math.max(maxGoid, goid);
    }
  }
  return live > 0 ? { len, ptr, maxGoid } : undefined;
}

/** Number of M's on the alllink list at runtime address `a` whose procid is a thread of the core; 0 = not a list of M's. */
function checkMList(mem: Mem, a: number, layout: Layout, threadIds: readonly number[]): number {
  const procidOff = layout.find('m.procid');
  const linkOff = layout.find('m.alllink');
  const idOff = layout.find('m.id');
  if (procidOff === undefined || linkOff === undefined || idOff === undefined) return 0;
  const tids = new Set(threadIds);
  const ids = new Set<number>();
  const seen = new Set<number>();
  let mp = mem.tryPtr(a);
  let matches = 0;
  let count = 0;
  while (mp !== undefined && mp !== 0 && count < MAX_MS) {
    if (seen.has(mp)) return 0;
    seen.add(mp);
    if (count < CHECK_LIMIT) {
      const procid = mem.tryPtr(mp + procidOff);
      const id = mem.tryPtr(mp + idOff);
      if (procid === undefined || id === undefined || ids.has(id) || id > MAX_MS) return 0;
      ids.add(id);
      if (tids.has(procid)) matches++;
    }
    count++;
    mp = mem.tryPtr(mp + linkOff);
  }
  if (mp === undefined || count === 0) return 0;
  return tids.size === 0 ? 1 : matches;
}


/**
 * When .symtab and DWARF left a required global unknown (a stripped executable), recover what the
 * recipes can and add it to `globals`; warn naming every global that stays unknown.
 */
export function addRecoveredGlobals(target: Target, mem: Mem, globals: Globals, minor: number, layout: Layout, warnings: WarningSink): void {
  if (REQUIRED_GLOBALS.every((n) => globals.find(n) !== undefined)) return;
  const image = target.exe;
  let rec: Recovered;
  try {
    rec = recoverGlobals({ image, mem, loadBias: target.loadBias, minor, layout, threadIds: target.threads.map((t) => t.tid) });
  } catch (e) {
    if (!(e instanceof GospyError)) throw e;
    warnings.add('symbols-not-recovered', `the executable has no symbols, and recovering them from its code failed (${e.message})`);
    return;
  }
  globals.addRecovered(rec.globals);
  const lost = rec.missing.filter((m) => globals.find(m.name) === undefined).map((m) => `${m.name} (${m.why})`);
  for (const o of optionalGlobalsWithEffect(minor)) {
    if (globals.find(o.name) !== undefined || rec.missing.some((m) => m.name === o.name)) continue;
    lost.push(`${o.name}: ${o.effect}`);
  }
  if (lost.length > 0) {
    warnings.add('symbols-not-recovered', `the executable is stripped; not found from its code: ${lost.join('; ')}`);
  }
}
