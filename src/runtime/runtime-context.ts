/**
 * Everything about a Go process that the executable and a first look at memory decide, built once
 * per Target: typed memory, DWARF, runtime globals (recovered from code for stripped binaries), the
 * Go version, struct layouts, traceback rules, and how to find g in a thread's TLS. The analyzer
 * (`readProcess`, process.ts) and capture's goroutine planner (capture/goroutines.ts) both start
 * here, so a new fact about the binary is resolved in one place for both.
 */
import { NotGoError, UnsupportedError } from '../base/errors.ts';
import { WarningSink } from '../base/warnings.ts';
import type { DwarfIndex } from '../format/dwarf/index.ts';
import { OLDEST_SUPPORTED_MINOR, loadDwarf, resolveGoVersion, resolveLayout } from './binary-facts.ts';
import { Globals, type GlobalName } from './globals.ts';
import type { Layout } from './layouts/layout.ts';
import { tracebackRules, type TracebackRules } from './layouts/traceback-rules.ts';
import { Mem } from './mem.ts';
import { addRecoveredGlobals } from './symbols/recover.ts';
import { hasGoFunctionTable } from './symbols/moduledata-scan.ts';
import { recoverGSlot } from './symbols/tls-slot.ts';
import type { Target } from './target.ts';
import { amd64GSlot, type MInfo } from './threads.ts';
import { parseGoVersion } from './version.ts';

export interface RuntimeOptions {
  /** Read the binary as if it had no DWARF (built-in layout tables only): for tests and diagnosis. */
  readonly ignoreDwarf?: boolean | undefined;
  /** Where warnings go (a fresh sink seeded with the target's warnings when absent). */
  readonly warnings?: WarningSink | undefined;
}

export interface GoRuntime {
  readonly target: Target;
  readonly mem: Mem;
  readonly dwarf: DwarfIndex | undefined;
  readonly globals: Globals;
  /** As the binary states it ("go1.22.3", "devel …"). */
  readonly goVersion: string;
  readonly minor: number;
  readonly layout: Layout;
  readonly rules: TracebackRules;
  readonly warnings: WarningSink;
  /**
   * The runtime address of a global the reader cannot do without; throws UnsupportedError naming it
   * (with `hint`, or the analyzer's hint) when neither symbols, DWARF nor the code gave it.
   */
  need(name: GlobalName, hint?: string): number;
  /**
   * Offset from a thread's TLS base (amd64 fs_base) of the slot holding g. The linker's
   * `runtime.tlsg` decides it when the executable names it; a stripped external-link binary's slot
   * is found in `target`'s memory (`ms` are its M's).
   */
  gSlot(target: Target, mem: Mem, ms: readonly MInfo[]): number;
}

/** Resolve the static facts of `target`'s Go runtime; throws NotGoError / UnsupportedError when it cannot be read. */
export function openRuntime(target: Target, opts: RuntimeOptions = {}): GoRuntime {
  const warnings = opts.warnings ?? seeded(target);
  if (!hasGoFunctionTable(target.exe)) {
    throw new NotGoError(`${target.exe.path} is not a Go program: it has no Go function table (pclntab)`, {
      hint: 'gospy reads Go programs; pass the Go executable that produced the core with --exe',
    });
  }
  const mem = new Mem(target.memory);
  const dwarf = opts.ignoreDwarf ? undefined : loadDwarf(target, warnings);
  const globals = new Globals(target, dwarf);

  const goVersion = resolveGoVersion(target, mem, globals, dwarf);
  const version = parseGoVersion(goVersion);
  if (!version) throw new NotGoError(`cannot understand the Go version string ${JSON.stringify(goVersion)}`);
  const minor = version.minor;
  if (minor < OLDEST_SUPPORTED_MINOR) {
    throw new UnsupportedError('go-version', `${goVersion} is older than the oldest Go gospy reads (go1.${OLDEST_SUPPORTED_MINOR})`);
  }
  const layout = resolveLayout(dwarf, minor, warnings);
  addRecoveredGlobals(target, mem, globals, minor, layout, warnings);

  const tlsg = target.exe.symbol(target.arch.tlsgSymbol)?.value;
  const fixedSlot = tlsg === undefined ? undefined : amd64GSlot(target, tlsg);
  return {
    target,
    mem,
    dwarf,
    globals,
    goVersion,
    minor,
    layout,
    rules: tracebackRules(minor),
    warnings,
    need(name, hint) {
      const g = globals.find(name);
      if (!g) {
        throw new UnsupportedError('symbols', `cannot find ${name}: the executable has no symbol table and no DWARF, and it could not be recovered from the code`, {
          hint: hint ?? 'the core and executable may not belong together; otherwise analyze with an unstripped build of the same source',
        });
      }
      return g.addr;
    },
    gSlot(t, m, ms) {
      // Stripped external-link amd64 binaries no longer name runtime.tlsg: find its slot in memory.
      return fixedSlot ?? recoverGSlot(t, m, ms) ?? amd64GSlot(t, undefined);
    },
  };
}

function seeded(target: Target): WarningSink {
  const w = new WarningSink();
  for (const x of target.warnings) w.add(x.kind, x.message);
  return w;
}
