/**
 * Developer command: print the runtime struct offsets gospy needs (src/runtime/layouts/fields.ts),
 * read from the DWARF of real Go executables, as rows for src/runtime/layouts/go-tables.ts, and
 * flag where the built-in table disagrees (src/runtime/layouts/compare-dwarf.ts, which
 * test/runtime/layout-tables.test.ts asserts on every sample). This is how the per-version tables are
 * made and checked when a new Go release arrives.
 *
 *   node_modules/.bin/node analyze/dev-layout.ts EXE [EXE…]      (EXE may be .xz)
 */
import * as fs from 'node:fs';
import { xz } from '@napi-rs/lzma';
import { BufferSource } from '../src/base/bytes.ts';
import { parseDwarf } from '../src/format/dwarf/index.ts';
import { Executable } from '../src/memory/executable.ts';
import { compareLayoutWithDwarf, type LayoutComparison as TableComparison } from '../src/runtime/layouts/compare-dwarf.ts';
import { parseGoVersion } from '../src/runtime/version.ts';

export interface LayoutComparison extends TableComparison {
  readonly goVersion: string;
  readonly minor: number;
}

export function compareLayout(exeBytes: Uint8Array, name: string): LayoutComparison | undefined {
  const facts = Executable.open(new BufferSource(exeBytes, name), name);
  const info = facts.sectionBytes('.debug_info');
  const abbrev = facts.sectionBytes('.debug_abbrev');
  if (!info || !abbrev) return undefined;
  const goVersion = facts.buildInfo?.goVersion ?? '';
  const minor = parseGoVersion(goVersion)?.minor ?? 0;
  const dwarf = parseDwarf({ info, abbrev, str: facts.sectionBytes('.debug_str'), lineStr: facts.sectionBytes('.debug_line_str'), addr: facts.sectionBytes('.debug_addr'), strOffsets: facts.sectionBytes('.debug_str_offsets') });
  return { goVersion, minor, ...compareLayoutWithDwarf(dwarf, minor) };
}

if (import.meta.main) {
  for (const path of process.argv.slice(2)) {
    const raw = fs.readFileSync(path);
    const bytes = path.endsWith('.xz') ? xz.decompressSync(raw) : raw;
    const c = compareLayout(bytes, path);
    if (!c) {
      process.stdout.write(`${path}: no DWARF\n`);
      continue;
    }
    process.stdout.write(`// ${c.goVersion} (${path})\n`);
    for (const [f, off] of c.dwarf) process.stdout.write(`  '${f}': ${off ?? -1},\n`);
    for (const d of c.disagreements) process.stdout.write(`  // DISAGREES ${d}\n`);
  }
}
