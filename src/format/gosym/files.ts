/**
 * File-number → file-name resolution. Mirrors `funcfile`/`funcline1` in golang/go src/runtime/symtab.go
 * and `(*LineTable).go12PCToFile` / `funcData` file handling in src/debug/gosym/pclntab.go, go1.12–go1.27:
 *   ≤1.15: fileno > 0; name = blob[u32 filetab[fileno]] (filetab[0] holds the count).
 *   1.16+: fileno ≥ 0; off = cutab[cuOffset + fileno]; 0xffffffff = unknown; name = filetab + off.
 */
import { rdU32 } from './header.ts';
import { StringTable } from './strings.ts';
import type { PclnHeader } from './header.ts';

export class FileTable {
  private readonly data: Uint8Array;
  private readonly h: PclnHeader;
  private readonly strings: StringTable;
  /** ≤1.15: number of filetab slots (including unused slot 0). */
  private readonly count: number;

  constructor(data: Uint8Array, h: PclnHeader) {
    this.data = data;
    this.h = h;
    if (h.era.version === '1.2') {
      this.strings = new StringTable(data, 0, 'file name');
      this.count = rdU32(data, h.filetab, 'filetab count');
    } else {
      this.strings = new StringTable(data, h.filetab, 'file name');
      this.count = 0;
    }
  }

  /** File name for file number `fileno` of a function with the given cuOffset, or undefined if unknown. */
  name(fileno: number, cuOffset: number): string | undefined {
    if (this.h.era.version === '1.2') {
      if (fileno <= 0 || fileno >= this.count) return undefined;
      const off = rdU32(this.data, this.h.filetab + 4 * fileno, 'filetab entry');
      return this.strings.at(off);
    }
    if (fileno < 0 || cuOffset === 0xffffffff) return undefined;
    const slot = this.h.cutab + 4 * (cuOffset + fileno);
    // cutab ends where filetab begins in every linker we know; use the data end as the hard bound
    const off = rdU32(this.data, slot, 'cutab entry');
    if (off === 0xffffffff) return undefined;
    return this.strings.at(off);
  }
}
