/**
 * The built-in per-version layout tables (used for binaries without DWARF) must agree with the DWARF
 * of every sample executable that has DWARF: same offset for every field the table knows, and every
 * required field known (src/runtime/layouts/compare-dwarf.ts; `node analyze/dev-layout.ts EXE`
 * prints the same comparison).
 */
import { describe, expect, it } from 'vitest';
import { fieldOffset, parseDwarf } from '../../src/format/dwarf/index.ts';
import { compareLayoutWithDwarf } from '../../src/runtime/layouts/compare-dwarf.ts';
import { moduledataLayout } from '../../src/runtime/layouts/moduledata.ts';
import { parseGoVersion } from '../../src/runtime/version.ts';
import { dwarfSections, openExe } from '../support/exe.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const withDwarf = listSampleBuilds().filter((b) => b.meta['stripped'] !== true && !b.variant.includes('stripped'));

describe('layout tables agree with DWARF', () => {
  it('has samples with DWARF', () => expect(withDwarf.length).toBeGreaterThan(0));

  it.each(withDwarf.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const sections = dwarfSections(openExe(await samplePath(b, 'exe')));
    expect(sections, 'sample exe has DWARF').toBeDefined();
    const minor = Number(/^go1\.(\d+)$/.exec(b.go)?.[1]);
    const c = compareLayoutWithDwarf(parseDwarf(sections!), minor);
    expect([...c.dwarf.values()].filter((o) => o !== undefined).length, 'fields found in DWARF').toBeGreaterThan(10);
    expect(c.disagreements).toEqual([]);
  });
});

describe('the moduledata table agrees with DWARF', () => {
  it.each(withDwarf.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const elf = openExe(await samplePath(b, 'exe'));
    const sections = dwarfSections(elf);
    expect(sections, 'sample exe has DWARF').toBeDefined();
    const dwarf = parseDwarf(sections!);
    const row = moduledataLayout(parseGoVersion(b.go)!.minor);
    const { since: _since, ...fields } = row;
    const fromDwarf = Object.fromEntries(Object.keys(fields).map((f) => [f, fieldOffset(dwarf, 'runtime.moduledata', f)]));
    expect(fields).toEqual(fromDwarf);
  });
});
