/**
 * Where each fact about the binary comes from, in order of trust: the Go version (build info →
 * runtime.buildVersion → DWARF producer), struct layouts (DWARF → built-in table for the version →
 * nearest table, checked against memory), wait-reason names (the binary's own array → table).
 */
import { NotGoError } from '../base/errors.ts';
import type { WarningSink } from '../base/warnings.ts';
import { parseDwarf, type DwarfIndex } from '../format/dwarf/index.ts';
import type { Target } from './target.ts';
import type { Mem } from './mem.ts';
import type { Globals } from './globals.ts';
import type { RawG } from './goroutines.ts';
import { layoutFromDwarf } from './layouts/from-dwarf.ts';
import { tableLayout } from './layouts/go-tables.ts';
import type { Layout } from './layouts/layout.ts';
import { waitReasonTable } from './layouts/wait-reasons.ts';
import { G_WAITING } from './layouts/gstatus.ts';

export function loadDwarf(target: Target, warnings: WarningSink): DwarfIndex | undefined {
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

export function resolveGoVersion(target: Target, mem: Mem, globals: Globals, dwarf: DwarfIndex | undefined): string {
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
export const NEWEST_KNOWN_MINOR = 27;
/** The oldest Go (1.x) whose runtime gospy reads (tables from the source from go1.12 on). */
export const OLDEST_SUPPORTED_MINOR = 12;

export function resolveLayout(dwarf: DwarfIndex | undefined, minor: number, warnings: WarningSink): Layout {
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

export function resolveWaitReasons(
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

/**
 * A layout taken from a table (no DWARF) or a newer Go may be wrong; what memory shows tells. Parked
 * goroutines must have their saved sp inside their stack, and goroutine ids must be distinct.
 */
export function checkLayoutAgainstMemory(gs: Iterable<RawG> & { readonly length: number }, layout: Layout, warnings: WarningSink): void {
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
