/**
 * Real Go binaries: every committed sample (samples/builds/<program>/<go1.NN>-<arch>[-variant]/exe.xz)
 * that carries DWARF must index quickly and agree with the runtime.g offsets below (runtime/runtime2.go),
 * with .symtab (runtime.allgs) and with its own build info. Fails loudly when there are no samples.
 * GOSPY_SAMPLES_DIR overrides the directory (for trying extra builds locally).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDwarf, fieldOffset } from '../../../src/format/dwarf/index.ts';
import { findBuildInfo, findBuildVersionString } from '../../../src/format/buildinfo/buildinfo.ts';
import { parseGoVersion } from '../../../src/runtime/version.ts';
import { Executable } from '../../../src/memory/executable.ts';
import { dwarfSections, openExe, symbolValue } from '../../support/exe.ts';

const ROOT = process.env['GOSPY_SAMPLES_DIR'] ?? join(import.meta.dirname, '../../../samples/builds');

function listSamples(): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  if (!existsSync(ROOT)) return out;
  for (const prog of readdirSync(ROOT, { withFileTypes: true })) {
    if (!prog.isDirectory()) continue;
    for (const build of readdirSync(join(ROOT, prog.name), { withFileTypes: true })) {
      const p = join(ROOT, prog.name, build.name, 'exe.xz');
      if (build.isDirectory() && existsSync(p)) out.push({ name: `${prog.name}/${build.name}`, path: p });
    }
  }
  return out;
}

/** runtime.g offsets by Go minor version (runtime/runtime2.go, verified against each sample's DWARF). */
function expectedG(minor: number): Record<string, number> {
  const plus8 = minor === 23 || minor === 24 ? 8 : 0;
  return {
    'stack.lo': 0,
    'stack.hi': 8,
    sched: 56,
    'sched.sp': 56,
    'sched.pc': 64,
    atomicstatus: 144 + plus8,
    goid: 152 + plus8,
    waitreason: 176 + plus8,
  };
}

const samples = listSamples();

describe('real samples', () => {
  it('there are committed samples to test against', () => {
    expect(samples.length, `no samples/builds/*/*/exe.xz under ${ROOT}; build them with samples/build.sh`).toBeGreaterThan(0);
  });

  describe.each(samples)('$name', ({ name, path }) => {
    const elf = openExe(path);
    const bis = new Executable(elf, path);
    const bi = findBuildInfo(bis);
    const version = parseGoVersion(bi?.goVersion ?? findBuildVersionString(bis)?.goVersion ?? '');
    const sections = dwarfSections(elf);

    it('has a Go version from build info or runtime.buildVersion', () => {
      expect(version).toBeDefined();
      const bv = findBuildVersionString(bis);
      if (bi !== undefined && bv !== undefined) expect(bv.goVersion).toBe(bi.goVersion);
      const sym = symbolValue(elf, 'runtime.buildVersion');
      if (sym !== undefined) expect(findBuildVersionString(bis, sym)?.goVersion).toBe(version!.raw);
    });

    // Stripped samples (-ldflags=-s -w) have no DWARF by construction: that is what is checked for them.
    if (name.includes('-stripped')) {
      it('stripped build: no DWARF', () => expect(sections).toBeUndefined());
      return;
    }
    it('DWARF: runtime.g layout, allgs, constants and producer', () => {
      const idx = parseDwarf(sections!); // timing: bench/dwarf-index.ts
      const prod = parseGoVersion(idx.producer ?? '');
      expect(prod?.minor).toBe(version!.minor);
      const want = expectedG(version!.minor);
      const got: Record<string, number | undefined> = {};
      for (const k of Object.keys(want)) got[k] = fieldOffset(idx, 'runtime.g', k);
      expect(got).toEqual(want);
      if (version!.minor >= 20) expect(fieldOffset(idx, 'runtime.g', 'atomicstatus.value')).toBe(want['atomicstatus']);
      const allgs = idx.variable('runtime.allgs');
      expect(allgs?.type?.kind).toBe('slice');
      // Samples with DWARF all keep .symtab, so the symbol must be there to compare with.
      const sym = symbolValue(elf, 'runtime.allgs');
      expect(sym, 'runtime.allgs in .symtab').toBeDefined();
      expect(allgs?.address).toBe(sym);
      expect(idx.constant('runtime._Grunning')).toBe(2);
      for (const s of ['runtime.m', 'runtime.gobuf', 'runtime.moduledata', 'runtime._func']) expect(idx.struct(s), s).toBeDefined();
    });
  });
});
