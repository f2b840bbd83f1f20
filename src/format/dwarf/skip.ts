/**
 * The hot path of the index walk: skipping a DIE's attributes without decoding them. Each abbrev
 * is compiled once per unit into a small program of fixed byte counts and variable-size steps
 * (DWARF 5 §7.5.5 form sizes, via fixedFormSize), then run over the raw bytes with bounds checks.
 */
import * as F from './constants.ts';
import type { Abbrev } from './abbrev.ts';
import { fixedFormSize } from './forms.ts';
import type { UnitHeader } from './unit.ts';

// Program steps: n ≥ 0 skips n bytes; negative values are variable-size forms.
const STRING = -1;
const LEB = -2;
const BLOCK1 = -3;
const BLOCK2 = -4;
const BLOCK4 = -5;
const BLOCK_LEB = -6;
/** A form the fast path does not handle (indirect, unknown): fall back to skipForm. */
export const SLOW = -100;

/** Compiles the attribute-skipping program of `ab` for unit `u`; [SLOW] when it cannot. */
export function compileSkip(ab: Abbrev, u: UnitHeader): Int32Array {
  const prog: number[] = [];
  let run = 0;
  for (const form of ab.forms) {
    const n = fixedFormSize(form, u);
    if (n >= 0) {
      run += n;
      continue;
    }
    let step: number;
    switch (form) {
      case F.DW_FORM_string:
        step = STRING;
        break;
      case F.DW_FORM_block1:
        step = BLOCK1;
        break;
      case F.DW_FORM_block2:
        step = BLOCK2;
        break;
      case F.DW_FORM_block4:
        step = BLOCK4;
        break;
      case F.DW_FORM_block:
      case F.DW_FORM_exprloc:
        step = BLOCK_LEB;
        break;
      case F.DW_FORM_sdata:
      case F.DW_FORM_udata:
      case F.DW_FORM_ref_udata:
      case F.DW_FORM_strx:
      case F.DW_FORM_addrx:
      case F.DW_FORM_loclistx:
      case F.DW_FORM_rnglistx:
      case F.DW_FORM_GNU_addr_index:
      case F.DW_FORM_GNU_str_index:
        step = LEB;
        break;
      default:
        return Int32Array.of(SLOW);
    }
    if (run > 0) prog.push(run);
    run = 0;
    prog.push(step);
  }
  if (run > 0) prog.push(run);
  return Int32Array.from(prog);
}

/**
 * Runs `prog` from `pos` and returns the position after the attributes, or -1 when the data ends
 * (or a LEB128 is longer than 10 bytes) before `end`.
 */
export function runSkip(d: Uint8Array, pos: number, end: number, prog: Int32Array): number {
  for (let i = 0; i < prog.length; i++) {
    const step = prog[i]!;
    if (step >= 0) {
      pos += step;
      continue;
    }
    switch (step) {
      case STRING: {
        const z = d.indexOf(0, pos);
        if (z < 0 || z >= end) return -1;
        pos = z + 1;
        break;
      }
      case LEB:
        for (let k = 0; ; k++) {
          if (pos >= end || k > 9) return -1;
          if ((d[pos++]! & 0x80) === 0) break;
        }
        break;
      case BLOCK1:
        if (pos >= end) return -1;
        pos += 1 + d[pos]!;
        break;
      case BLOCK2:
        if (pos + 2 > end) return -1;
        pos += 2 + (d[pos]! | (d[pos + 1]! << 8));
        break;
      case BLOCK4:
        if (pos + 4 > end) return -1;
        pos += 4 + (d[pos]! | (d[pos + 1]! << 8) | (d[pos + 2]! << 16)) + d[pos + 3]! * 0x1000000;
        break;
      case BLOCK_LEB: {
        let n = 0;
        let mul = 1;
        for (let k = 0; ; k++) {
          if (pos >= end || k > 9) return -1;
          const b = d[pos++]!;
          n += (b & 0x7f) * mul;
          if ((b & 0x80) === 0) break;
          mul *= 128;
        }
        pos += n;
        break;
      }
      default:
        return -1;
    }
    if (pos > end) return -1;
  }
  return pos > end ? -1 : pos;
}
