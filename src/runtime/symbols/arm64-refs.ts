/**
 * arm64 PC-relative data references. Go's assembler (cmd/internal/obj/arm64 `asm7.go`, C_ADDR
 * operands) materialises `MOVD runtime·allm(SB), R0` / `MOVD $runtime·allglock(SB), R0` /
 * `MOVD R0, runtime·allgs(SB)` as a pair: ADRP Rx, page(sym) followed by ADD Rx, Rx, #lo12 or an
 * LDR/STR with Rx as base and the unsigned, access-size-scaled offset lo12 (usually Rx = R27,
 * REGTMP). Encodings: Arm ARM C6.2 (ADRP, ADD (immediate), LDR/STR (immediate, unsigned offset)).
 * The target of the pair is page + lo12 (Intel SDM vol. 2, RIP-relative addressing; docs/support.md, stripped binaries). Atomics (LDAR/STLR/LDADDAL/CAS…) take
 * the address formed by ADRP+ADD, so the ADD form covers them.
 */
import { u32 } from '../../base/bytes.ts';
import type { DataRef, RefKind } from './x86-refs.ts';

/** How many instructions after an ADRP its partner may appear (the assembler emits them adjacent). */
const PAIR_WINDOW = 3;

/** ADRP: page address for the instruction at `pc`, and the destination register; undefined if not ADRP. */
export function decodeAdrp(insn: number, pc: number): { rd: number; page: number } | undefined {
  if ((insn & 0x9f000000) >>> 0 !== 0x90000000) return undefined;
  const immlo = (insn >>> 29) & 3;
  const immhi = (insn >>> 5) & 0x7ffff;
  let imm = (immhi << 2) | immlo; // 21 bits, signed
  if (imm & 0x100000) imm -= 0x200000;
  const page = Math.floor(pc / 4096) * 4096 + imm * 4096;
  return { rd: insn & 31, page };
}

/**
 * The low-12 part of an ADRP partner that uses register `rn` as its base: ADD (immediate, 64-bit,
 * optionally LSL #12) or LDR/STR (unsigned offset, integer or SIMD&FP). Returns the byte offset and
 * kind, or undefined.
 */
export function decodeLo12(insn: number, rn: number): { offset: number; kind: RefKind; rd: number } | undefined {
  if (((insn >>> 5) & 31) !== rn) return undefined;
  // ADD Xd, Xn, #imm{, LSL #12}: sf=1 op=0 S=0 100010 sh imm12 Rn Rd
  if ((insn & 0xff800000) >>> 0 === 0x91000000) {
    const sh = (insn >>> 22) & 1;
    const imm12 = (insn >>> 10) & 0xfff;
    return { offset: sh ? imm12 * 4096 : imm12, kind: 'lea', rd: insn & 31 };
  }
  // LDR/STR (immediate, unsigned offset): size 111 V 01 opc imm12 Rn Rt
  if ((insn & 0x3b000000) >>> 0 === 0x39000000) {
    const size = insn >>> 30;
    const v = (insn >>> 26) & 1;
    const opc = (insn >>> 22) & 3;
    const imm12 = (insn >>> 10) & 0xfff;
    let scale = size;
    if (v === 1 && (opc & 2) !== 0) scale = 4; // 128-bit Q register
    if (v === 0 && size === 3 && opc === 2) return undefined; // PRFM
    const kind: RefKind = opc === 0 || (v === 1 && opc === 2) ? 'store' : 'load';
    return { offset: imm12 << scale, kind, rd: insn & 31 };
  }
  return undefined;
}

/** Every ADRP-paired reference in `code` (loaded at `base`, 4-byte aligned instructions). */
export function scanAdrpRefs(code: Uint8Array, base: number): DataRef[] {
  const out: DataRef[] = [];
  const n = Math.floor(code.length / 4);
  for (let i = 0; i < n; i++) {
    const pc = base + i * 4;
    const adrp = decodeAdrp(u32(code, i * 4), pc);
    if (!adrp) continue;
    for (let j = i + 1; j <= i + PAIR_WINDOW && j < n; j++) {
      const insn = u32(code, j * 4);
      const lo = decodeLo12(insn, adrp.rd);
      if (lo) {
        out.push({ pc, target: adrp.page + lo.offset, kind: lo.kind });
        break;
      }
      if ((insn & 31) === adrp.rd) break; // the register was overwritten by something else
    }
  }
  return out;
}
