/**
 * The built-in per-version layout tables (used for binaries without DWARF) must agree with the DWARF
 * of every sample executable that has DWARF: same offset for every field the table knows, and every
 * required field known. The same comparison is `node analyze/dev-layout.ts EXE`.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareLayout } from '../../analyze/dev-layout.ts';
import { fieldOffset, parseDwarf } from '../../src/format/dwarf/index.ts';
import { moduledataLayout } from '../../src/runtime/layouts/moduledata.ts';
import { parseGoVersion } from '../../src/runtime/version.ts';
import { dwarfSections, openExe } from '../support/exe.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const withDwarf = listSampleBuilds().filter((b) => b.meta['stripped'] !== true && !b.variant.includes('stripped'));

describe('layout tables agree with DWARF', () => {
  it('has samples with DWARF', () => expect(withDwarf.length).toBeGreaterThan(0));

  it.each(withDwarf.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const exe = await samplePath(b, 'exe');
    const c = compareLayout(fs.readFileSync(exe), exe);
    expect(c, 'sample exe has DWARF').toBeDefined();
    expect(`go1.${c!.minor}`).toBe(b.go);
    expect(c!.disagreements).toEqual([]);
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
