/**
 * amd64 RIP-relative data references: the instructions through which Go code reads, writes, compares
 * or takes the address of a global (`MOVQ runtime·allm(SB), CX`, `LEAQ runtime·allglock(SB), AX`,
 * `CMPL runtime·writeBarrier(SB), $0`, `XCHGQ AX, runtime·allglen(SB)` …, as cmd/internal/obj/x86
 * `asm6.go` encodes them). Encoding (Intel SDM vol. 2, §2.2.1.6): optional legacy prefixes, optional
 * REX (0x40–0x4F), opcode, ModRM with mod=00 rm=101, disp32, optional immediate; the target is the
 * address of the NEXT instruction plus the sign-extended disp32 (Intel SDM vol. 2, RIP-relative addressing; docs/support.md, stripped binaries).
 *
 * This is not a disassembler: `scanRipRefs` tries every byte offset, so a byte pattern inside another
 * instruction can yield a spurious reference. Callers filter targets to the module's data ranges and
 * validate what they pick against memory.
 */
import { i32 } from '../../base/bytes.ts';

export type RefKind = 'load' | 'store' | 'lea' | 'cmp' | 'rmw';

export interface DataRef {
  /** Address of the instruction (of its first prefix byte). */
  readonly pc: number;
  /** Address the instruction refers to. */
  readonly target: number;
  readonly kind: RefKind;
}

interface Opcode {
  readonly kind: RefKind;
  /** Immediate bytes after disp32 ('z' = 4, or 2 with a 0x66 prefix). */
  readonly imm: 0 | 1 | 'z';
  /** Only ModRM.reg values accepted (group opcodes), undefined = any. */
  readonly regs?: readonly number[];
}

// One-byte opcodes with a ModRM operand (Intel SDM vol. 2, appendix A.3 table A-2).
// prettier-ignore
const ONE_BYTE: ReadonlyMap<number, Opcode> = new Map<number, Opcode>([
  [0x01, { kind: 'rmw', imm: 0 }], [0x03, { kind: 'load', imm: 0 }],   // ADD
  [0x09, { kind: 'rmw', imm: 0 }], [0x0b, { kind: 'load', imm: 0 }],   // OR
  [0x21, { kind: 'rmw', imm: 0 }], [0x23, { kind: 'load', imm: 0 }],   // AND
  [0x29, { kind: 'rmw', imm: 0 }], [0x2b, { kind: 'load', imm: 0 }],   // SUB
  [0x31, { kind: 'rmw', imm: 0 }], [0x33, { kind: 'load', imm: 0 }],   // XOR
  [0x38, { kind: 'cmp', imm: 0 }], [0x39, { kind: 'cmp', imm: 0 }],    // CMP r/m, r
  [0x3a, { kind: 'cmp', imm: 0 }], [0x3b, { kind: 'cmp', imm: 0 }],    // CMP r, r/m
  [0x84, { kind: 'cmp', imm: 0 }], [0x85, { kind: 'cmp', imm: 0 }],    // TEST
  [0x86, { kind: 'rmw', imm: 0 }], [0x87, { kind: 'rmw', imm: 0 }],    // XCHG (atomic store)
  [0x88, { kind: 'store', imm: 0 }], [0x89, { kind: 'store', imm: 0 }], // MOV r/m, r
  [0x8a, { kind: 'load', imm: 0 }], [0x8b, { kind: 'load', imm: 0 }],  // MOV r, r/m
  [0x8d, { kind: 'lea', imm: 0 }],                                     // LEA
  [0x80, { kind: 'cmp', imm: 1, regs: [7] }],                          // CMPB $imm8
  [0x81, { kind: 'cmp', imm: 'z', regs: [7] }],                        // CMP $imm32
  [0x83, { kind: 'cmp', imm: 1, regs: [7] }],                          // CMP $imm8
  [0xc6, { kind: 'store', imm: 1, regs: [0] }],                        // MOVB $imm8
  [0xc7, { kind: 'store', imm: 'z', regs: [0] }],                      // MOV $imm32
  [0xff, { kind: 'rmw', imm: 0, regs: [0, 1] }],                       // INC/DEC
]);

// Two-byte opcodes 0F xx (table A-3): MOVZX/MOVSX, CMPXCHG, XADD, MOVUPS/MOVSD.
// prettier-ignore
const TWO_BYTE: ReadonlyMap<number, Opcode> = new Map<number, Opcode>([
  [0xb6, { kind: 'load', imm: 0 }], [0xb7, { kind: 'load', imm: 0 }],
  [0xbe, { kind: 'load', imm: 0 }], [0xbf, { kind: 'load', imm: 0 }],
  [0xb0, { kind: 'rmw', imm: 0 }], [0xb1, { kind: 'rmw', imm: 0 }],
  [0xc0, { kind: 'rmw', imm: 0 }], [0xc1, { kind: 'rmw', imm: 0 }],
  [0x10, { kind: 'load', imm: 0 }], [0x11, { kind: 'store', imm: 0 }],
]);

const LEGACY_PREFIXES = new Set([0xf0, 0xf2, 0xf3, 0x66]);

/**
 * Decode one RIP-relative reference whose opcode starts at `op` (after any prefixes/REX at
 * op−1, op−2 …). `base` is the address of code[0]. Returns undefined when the bytes there are not
 * such an instruction or run past the end.
 */
export function decodeRipRefAt(code: Uint8Array, op: number, base: number): DataRef | undefined {
  if (op < 0 || op >= code.length) return undefined;
  let o = op;
  let table = ONE_BYTE;
  if (code[o] === 0x0f) {
    table = TWO_BYTE;
    o++;
  }
  const spec = o < code.length ? table.get(code[o]!) : undefined;
  if (!spec) return undefined;
  const modrm = code[o + 1];
  if (modrm === undefined || (modrm & 0xc7) !== 0x05) return undefined; // mod=00, rm=101
  if (spec.regs && !spec.regs.includes((modrm >> 3) & 7)) return undefined;
  // Walk back over REX and legacy prefixes to find the instruction start and operand size.
  let start = op;
  if (start > 0 && (code[start - 1]! & 0xf0) === 0x40) start--;
  let opsize16 = false;
  while (start > 0 && LEGACY_PREFIXES.has(code[start - 1]!)) {
    if (code[start - 1] === 0x66) opsize16 = true;
    start--;
  }
  const imm = spec.imm === 'z' ? (opsize16 ? 2 : 4) : spec.imm;
  const dispAt = o + 2;
  const end = dispAt + 4 + imm;
  if (end > code.length) return undefined;
  return { pc: base + start, target: base + end + i32(code, dispAt), kind: spec.kind };
}

/** Every RIP-relative reference found by trying each byte of `code` (loaded at `base`) as an opcode. */
export function scanRipRefs(code: Uint8Array, base: number): DataRef[] {
  const out: DataRef[] = [];
  for (let i = 0; i + 6 <= code.length; i++) {
    const r = decodeRipRefAt(code, i, base);
    if (r) out.push(r);
  }
  return out;
}
