/**
 * Dotted field paths through nested struct members, as golang/debug's gocore region.Field chains
 * read them: 'sched.sp', 'stack.lo', 'atomicstatus.value' (go1.20+, where g.atomicstatus is an
 * atomic.Uint32 struct). Typedefs are looked through at every step; pointers are not followed
 * (an offset is only meaningful within one object).
 */
import type { DwarfType } from './types.ts';

/** What a field path needs of the DWARF index (DwarfIndex, index.ts, which re-exports this module). */
export interface StructLookup {
  struct(name: string): DwarfType | undefined;
}

export interface ResolvedField {
  /** Byte offset from the start of the outer struct. */
  readonly offset: number;
  readonly type: DwarfType | undefined;
}

/** Resolves `path` inside struct `structName`; undefined when any step is missing. */
export function resolveField(index: StructLookup, structName: string, path: string): ResolvedField | undefined {
  let t: DwarfType | undefined = index.struct(structName);
  if (t === undefined) return undefined;
  let offset = 0;
  for (const part of path.split('.')) {
    if (t === undefined) return undefined;
    const m = t.resolve().member(part);
    if (m === undefined) return undefined;
    offset += m.offset;
    t = m.type;
  }
  return { offset, type: t };
}

/** Byte offset of `path` inside struct `structName` (e.g. 'runtime.g', 'sched.sp'), or undefined. */
export function fieldOffset(index: StructLookup, structName: string, path: string): number | undefined {
  return resolveField(index, structName, path)?.offset;
}
