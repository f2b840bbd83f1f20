/**
 * pcHeader: magic, quantum, pointer size and the header words that locate the sub-tables.
 * Mirrors golang/go src/debug/gosym/pclntab.go (`parsePclnTab`) and src/runtime/symtab.go (`pcHeader`,
 * `moduledata.pclntable` for ≤1.15), go1.12–go1.27.
 */
import { FormatError, UnsupportedError } from '../../base/errors.ts';
import { u32, u64 } from '../../base/bytes.ts';
import { ERAS, HEADER_WORDS, type EraLayout } from './eras.ts';

export const go12magic = 0xfffffffb;
export const go116magic = 0xfffffffa;
export const go118magic = 0xfffffff0;
export const go120magic = 0xfffffff1;

export const WHAT = 'pclntab';

/** Throw unless [off, off+n) lies inside data. */
export function need(data: Uint8Array, off: number, n: number, what: string): void {
  if (!(off >= 0 && n >= 0 && off + n <= data.length)) {
    throw new FormatError(WHAT, `${what} out of range (need ${n} bytes, table is 0x${data.length.toString(16)})`, off);
  }
}

export function rdU32(data: Uint8Array, off: number, what: string): number {
  need(data, off, 4, what);
  return u32(data, off);
}

/** A pointer-sized unsigned word (4 or 8 bytes). */
export function rdWord(data: Uint8Array, off: number, ptrSize: number, what: string): number {
  need(data, off, ptrSize, what);
  if (ptrSize === 4) return u32(data, off);
  const v = u64(data, off);
  if (Number.isNaN(v)) throw new FormatError(WHAT, `${what} does not fit in 2^53`, off);
  return v;
}

export interface PclnHeader {
  readonly era: EraLayout;
  readonly quantum: number;
  readonly ptrSize: number;
  readonly nfunc: number;
  /** Header-declared file count (1.16+), undefined for 1.2. */
  readonly nfiles: number | undefined;
  /** Raw textStart header word (1.18–1.25; 0 in 1.26+). Informational only: use the context's textStart. */
  readonly textStartWord: number | undefined;
  /** Offsets (from data[0]) of the sub-tables. For 1.2 they are all 0 (the blob base) except filetab. */
  readonly funcnametab: number;
  readonly cutab: number;
  readonly filetab: number;
  readonly pctab: number;
  readonly pcln: number;
  /** Offset of functab[0]. */
  readonly functab: number;
}

export function parseHeader(data: Uint8Array): PclnHeader {
  if (data.length < 16) throw new FormatError(WHAT, 'too short for a pcHeader', 0);
  const magic = u32(data, 0);
  const era = ERAS.find((e) => e.magic === magic);
  if (!era) {
    const be = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
    if (ERAS.some((e) => e.magic === be)) {
      throw new UnsupportedError('byte-order', 'big-endian pclntab is not supported (gospy reads amd64 and arm64)');
    }
    throw new FormatError(WHAT, `unknown magic 0x${magic.toString(16)}`, 0);
  }
  const quantum = data[6]!;
  const ptrSize = data[7]!;
  if (data[4] !== 0 || data[5] !== 0) throw new FormatError(WHAT, 'header bytes 4,5 are not zero', 4);
  if (quantum !== 1 && quantum !== 2 && quantum !== 4) throw new FormatError(WHAT, `bad pc quantum ${quantum}`, 6);
  if (ptrSize !== 4 && ptrSize !== 8) throw new FormatError(WHAT, `bad pointer size ${ptrSize}`, 7);

  const w = HEADER_WORDS[era.version];
  const word = (k: number | undefined, what: string): number | undefined =>
    k === undefined ? undefined : rdWord(data, 8 + k * ptrSize, ptrSize, `header word ${what}`);
  const nfunc = word(w.nfunc, 'nfunc')!;
  const fieldSize = era.functabField === 'ptr' ? ptrSize : 4;

  if (era.version === '1.2') {
    const functab = 8 + ptrSize;
    // nfunc pairs + end word + u32 filetabOffset
    if (nfunc > (data.length - functab) / (2 * fieldSize)) throw new FormatError(WHAT, `nfunc ${nfunc} too large`, 8);
    const filetabOffWord = functab + nfunc * 2 * fieldSize + fieldSize;
    const filetab = rdU32(data, filetabOffWord, 'filetabOffset');
    need(data, filetab, 4, 'filetab');
    return {
      era, quantum, ptrSize, nfunc, nfiles: undefined, textStartWord: undefined,
      funcnametab: 0, cutab: 0, filetab, pctab: 0, pcln: 0, functab,
    };
  }

  const sub = (k: number | undefined, what: string): number => {
    const v = word(k, what)!;
    if (v > data.length) throw new FormatError(WHAT, `${what} 0x${v.toString(16)} beyond end of table`, 8 + k! * ptrSize);
    return v;
  };
  const nfiles = word(w.nfiles, 'nfiles');
  const textStartWord = word(w.textStart, 'textStart');
  const funcnametab = sub(w.funcnameOffset, 'funcnameOffset');
  const cutab = sub(w.cuOffset, 'cuOffset');
  const filetab = sub(w.filetabOffset, 'filetabOffset');
  const pctab = sub(w.pctabOffset, 'pctabOffset');
  const pcln = sub(w.pclnOffset, 'pclnOffset');
  if (nfunc > (data.length - pcln) / (2 * fieldSize)) throw new FormatError(WHAT, `nfunc ${nfunc} too large`, 8);
  return { era, quantum, ptrSize, nfunc, nfiles, textStartWord, funcnametab, cutab, filetab, pctab, pcln, functab: pcln };
}
