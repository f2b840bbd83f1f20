/**
 * The built-in per-version layout table (go-tables.ts) compared with the offsets an executable's own
 * DWARF gives, field by field (fields.ts). How the tables are made and checked when a new Go release
 * arrives: `node analyze/dev-layout.ts EXE` prints it, test/runtime/layout-tables.test.ts asserts it
 * on every sample with DWARF.
 */
import type { DwarfIndex } from '../../format/dwarf/index.ts';
import { layoutFromDwarf } from './from-dwarf.ts';
import { tableLayout } from './go-tables.ts';
import { OPTIONAL_FIELDS, REQUIRED_FIELDS } from './fields.ts';

export interface LayoutComparison {
  /** field → DWARF offset (undefined: not in this version's DWARF). */
  readonly dwarf: ReadonlyMap<string, number | undefined>;
  /** Fields where the built-in table for `minor` says something else. */
  readonly disagreements: readonly string[];
}

/** Compare the DWARF layout of a Go 1.`minor` executable with the built-in table for that minor. */
export function compareLayoutWithDwarf(index: DwarfIndex, minor: number): LayoutComparison {
  const { layout } = layoutFromDwarf(index);
  const table = tableLayout(minor).layout;
  const offsets = new Map<string, number | undefined>();
  const disagreements: string[] = [];
  for (const f of [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]) {
    const d = layout.find(f);
    offsets.set(f, d);
    const t = table.find(f);
    if (t !== undefined && t !== d) disagreements.push(`${f}: table ${t}, DWARF ${d ?? 'absent'}`);
    if (t === undefined && d !== undefined && (REQUIRED_FIELDS as readonly string[]).includes(f)) {
      disagreements.push(`${f}: missing from the table, DWARF ${d}`);
    }
  }
  return { dwarf: offsets, disagreements };
}
