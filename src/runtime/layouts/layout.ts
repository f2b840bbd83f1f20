/**
 * A Layout answers "at which byte offset does field X live" for one binary. It is filled from the
 * binary's DWARF when present (exact for that build) and from the built-in per-version tables
 * otherwise (see go-tables.ts). Code never branches on the Go version for struct offsets.
 */
import { UnsupportedError } from '../../base/errors.ts';
import type { FieldName, RequiredField } from './fields.ts';

export interface Layout {
  /** Where the offsets came from, for the summary's provenance line. */
  readonly source: string;
  has(field: FieldName): boolean;
  /** Offset of a field; throws UnsupportedError when the layout does not know it. */
  off(field: RequiredField | FieldName): number;
  /** Offset or undefined. */
  find(field: FieldName): number | undefined;
}

export class MapLayout implements Layout {
  readonly source: string;
  private readonly offsets: ReadonlyMap<string, number>;
  constructor(source: string, offsets: ReadonlyMap<string, number>) {
    this.source = source;
    this.offsets = offsets;
  }
  has(field: FieldName): boolean {
    return this.offsets.has(field);
  }
  find(field: FieldName): number | undefined {
    return this.offsets.get(field);
  }
  off(field: FieldName): number {
    const v = this.offsets.get(field);
    if (v === undefined) {
      throw new UnsupportedError('layout', `the runtime field ${field} is unknown to the layout from ${this.source}`, {
        hint: 'this Go version may be newer than gospy knows; a build with DWARF (no -ldflags=-w) lets gospy read layouts from the binary',
      });
    }
    return v;
  }
}
