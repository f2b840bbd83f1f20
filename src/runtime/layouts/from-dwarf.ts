/**
 * Fill a Layout from the binary's own DWARF (`runtime.g`, `runtime.m`, `runtime.schedt`): exact for
 * that build, whatever its Go version. Missing optional fields simply stay absent.
 */
import { fieldOffset, type DwarfIndex } from '../../format/dwarf/index.ts';
import { MapLayout, type Layout } from './layout.ts';
import { OPTIONAL_FIELDS, REQUIRED_FIELDS, STRUCT_OF } from './fields.ts';

export function layoutFromDwarf(index: DwarfIndex): { layout: Layout; missing: string[] } {
  const offsets = new Map<string, number>();
  const missing: string[] = [];
  for (const field of [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]) {
    const dot = field.indexOf('.');
    const struct = STRUCT_OF[field.slice(0, dot)]!;
    const off = fieldOffset(index, struct, field.slice(dot + 1));
    if (off !== undefined) offsets.set(field, off);
    else if ((REQUIRED_FIELDS as readonly string[]).includes(field)) missing.push(field);
  }
  return { layout: new MapLayout('DWARF', offsets), missing };
}
