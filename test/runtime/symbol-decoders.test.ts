/**
 * The pieces of symbol recovery on synthetic bytes: amd64 RIP-relative references, arm64 ADRP pairs,
 * the pclntab/moduledata scan, and recovery on hostile inputs (undefined or GospyError, never a
 * TypeError).
 */
import { describe, expect, it } from 'vitest';
import { GospyError } from '../../src/base/errors.ts';
import { decodeRipRefAt, scanRipRefs } from '../../src/runtime/symbols/x86-refs.ts';
import { decodeAdrp, decodeLo12, scanAdrpRefs } from '../../src/runtime/symbols/arm64-refs.ts';
import { segmentImage } from '../../src/memory/executable.ts';
import { moduledataLayout } from '../../src/runtime/layouts/moduledata.ts';
import { findModuledata, fileModuleTable, pclntabCandidates } from '../../src/runtime/symbols/moduledata-scan.ts';
import { recoverGlobals } from '../../src/runtime/symbols/recover.ts';
import { tableLayout } from '../../src/runtime/layouts/go-tables.ts';
import { Mem } from '../../src/runtime/mem.ts';

const BASE = 0x401000;
function disp(target: number, end: number): number[] {
  const d = target - end;
  return [d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, (d >>> 24) & 0xff];
}
/** Bytes of one instruction `head ++ disp32 ++ imm` at BASE, its target `t`. */
function insn(head: number[], t: number, imm: number[] = []): Uint8Array {
  const end = BASE + head.length + 4 + imm.length;
  return new Uint8Array([...head, ...disp(t, end), ...imm]);
}

describe('amd64 RIP-relative references', () => {
  const T = 0x644120;
  it.each([
    ['MOVQ load (REX.W 8B)', [0x48, 0x8b, 0x05], [], 'load'],
    ['MOVQ store (REX.W 89, reg=rcx)', [0x48, 0x89, 0x0d], [], 'store'],
    ['MOVL load without REX (8B)', [0x8b, 0x05], [], 'load'],
    ['MOVQ load into r9 (REX.WR 4C 8B)', [0x4c, 0x8b, 0x0d], [], 'load'],
    ['LEAQ (REX.W 8D)', [0x48, 0x8d, 0x05], [], 'lea'],
    ['CMPQ reg, mem (REX.W 39)', [0x48, 0x39, 0x1d], [], 'cmp'],
    ['CMPL $0 (83 /7 ib)', [0x83, 0x3d], [0x00], 'cmp'],
    ['CMPB $0 (80 /7 ib)', [0x80, 0x3d], [0x00], 'cmp'],
    ['MOVL $imm32 (C7 /0 id)', [0xc7, 0x05], [1, 0, 0, 0], 'store'],
    ['MOVW $imm16 (66 C7 /0 iw)', [0x66, 0xc7, 0x05], [1, 0], 'store'],
    ['XCHGQ (REX.W 87)', [0x48, 0x87, 0x05], [], 'rmw'],
    ['LOCK CMPXCHGQ (F0 REX.W 0F B1)', [0xf0, 0x48, 0x0f, 0xb1, 0x0d], [], 'rmw'],
    ['MOVZBL (0F B6)', [0x0f, 0xb6, 0x05], [], 'load'],
  ] as const)('%s', (_n, head, imm, kind) => {
    const code = insn([...head], T, [...imm]);
    const refs = scanRipRefs(code, BASE);
    expect(refs).toEqual([{ pc: BASE, target: T, kind }]);
  });

  it('negative displacement and several instructions in a row', () => {
    const a = insn([0x48, 0x8d, 0x05], 0x400800);
    const b = [0x90, 0x90];
    const code = new Uint8Array([...a, ...b, ...insn([0x48, 0x8b, 0x05], 0)]);
    // the second instruction's disp was computed for BASE; recompute against its real end
    const second = code.length - 7;
    const d = 0x644128 - (BASE + code.length);
    code.set([d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, (d >>> 24) & 0xff], second + 3);
    expect(scanRipRefs(code, BASE).map((r) => [r.pc - BASE, r.target])).toEqual([
      [0, 0x400800],
      [second, 0x644128],
    ]);
  });

  it('rejects non-RIP ModRM, wrong group reg and truncation', () => {
    expect(decodeRipRefAt(new Uint8Array([0x48, 0x8b, 0x45, 0x08]), 1, BASE)).toBeUndefined(); // mod=01
    expect(decodeRipRefAt(new Uint8Array([0x83, 0x05, 0, 0, 0, 0, 1]), 0, BASE)).toBeUndefined(); // ADD, not CMP
    expect(decodeRipRefAt(new Uint8Array([0x48, 0x8b, 0x05, 1, 2]), 1, BASE)).toBeUndefined();
    expect(decodeRipRefAt(new Uint8Array([0x83, 0x3d, 1, 2, 3, 4]), 0, BASE)).toBeUndefined(); // imm8 missing
    expect(decodeRipRefAt(new Uint8Array([]), 0, BASE)).toBeUndefined();
    expect(decodeRipRefAt(new Uint8Array([0x8b]), 5, BASE)).toBeUndefined();
  });

  it('never throws on random bytes', () => {
    let seed = 1;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const code = Uint8Array.from({ length: 4096 }, rnd);
    expect(() => scanRipRefs(code, BASE)).not.toThrow();
  });
});

// arm64 encoders (Arm ARM C6.2)
function adrp(rd: number, pc: number, target: number): number {
  const imm = Math.floor(target / 4096) - Math.floor(pc / 4096);
  return (0x90000000 | ((imm & 3) << 29) | (((imm >> 2) & 0x7ffff) << 5) | rd) >>> 0;
}
const addImm = (rd: number, rn: number, imm12: number, sh = 0): number => (0x91000000 | (sh << 22) | (imm12 << 10) | (rn << 5) | rd) >>> 0;
const ldst = (size: number, v: number, opc: number, imm12: number, rn: number, rt: number): number =>
  ((size << 30) | 0x39000000 | (v << 26) | (opc << 22) | (imm12 << 10) | (rn << 5) | rt) >>> 0;
function words(...ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}

describe('arm64 ADRP pairs', () => {
  const PC = 0x11000;
  it('ADRP + ADD', () => {
    const t = 0x1a2345;
    expect(scanAdrpRefs(words(adrp(27, PC, t), addImm(27, 27, t & 0xfff)), PC)).toEqual([{ pc: PC, target: t, kind: 'lea' }]);
  });
  it.each([
    ['LDR X (scaled by 8)', 3, 0, 1, 8, 'load'],
    ['STR W (scaled by 4)', 2, 0, 0, 4, 'store'],
    ['STRB (unscaled)', 0, 0, 0, 1, 'store'],
    ['LDRH (scaled by 2)', 1, 0, 1, 2, 'load'],
    ['STR Q (SIMD, scaled by 16)', 0, 1, 2, 16, 'store'],
    ['LDR D (SIMD, scaled by 8)', 3, 1, 1, 8, 'load'],
  ] as const)('ADRP + %s', (_n, size, v, opc, scale, kind) => {
    const t = 0x1a2000 + 0x40 * scale;
    const code = words(adrp(27, PC, t), ldst(size, v, opc, (t & 0xfff) / scale, 27, 0));
    expect(scanAdrpRefs(code, PC)).toEqual([{ pc: PC, target: t, kind }]);
  });
  it('backwards page and a partner one instruction later', () => {
    const pc = 0x200000;
    const t = 0x11008;
    const nop = 0xd503201f;
    expect(scanAdrpRefs(words(adrp(1, pc, t), nop, ldst(3, 0, 1, 1, 1, 2)), pc)).toEqual([{ pc, target: t, kind: 'load' }]);
  });
  it('no pair when the register is used with another base or overwritten first', () => {
    const t = 0x1a2008;
    expect(scanAdrpRefs(words(adrp(27, PC, t), ldst(3, 0, 1, 1, 26, 0)), PC)).toEqual([]);
    const movz27 = 0xd280001b; // MOVZ X27, #0 overwrites R27
    expect(scanAdrpRefs(words(adrp(27, PC, t), movz27, addImm(27, 27, 8)), PC)).toEqual([]);
  });
  it('decoders reject other encodings and never throw', () => {
    expect(decodeAdrp(0x10000000, PC)).toBeUndefined(); // ADR, not ADRP
    expect(decodeLo12(0xd503201f, 31)).toBeUndefined();
    expect(decodeLo12(ldst(3, 0, 2, 1, 27, 0), 27)).toBeUndefined(); // PRFM
    expect(scanAdrpRefs(new Uint8Array([0x90, 0, 0]), PC)).toEqual([]);
    let seed = 7;
    const code = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    expect(() => scanAdrpRefs(code, PC)).not.toThrow();
  });
});

describe('moduledata scan and recovery on hostile input', () => {
  const layout = tableLayout(27).layout;
  const emptyMem = new Mem({ read: () => { throw new Error('unmapped'); }, tryRead: () => undefined });

  it('finds nothing in an image with no pclntab', () => {
    const img = segmentImage('amd64', [{ vaddr: 0x400000, writable: false, executable: true, data: new Uint8Array(64) }]);
    expect(pclntabCandidates(img)).toEqual([]);
    expect(findModuledata(img)).toBeUndefined();
    const rec = recoverGlobals({ image: img, mem: emptyMem, loadBias: 0, minor: 27, layout, threadIds: [1] });
    expect(rec.globals.size).toBe(0);
    expect(rec.missing.map((m) => m.name)).toContain('runtime.firstmoduledata');
  });

  it('rejects a pointer to a magic that is not backed by a valid moduledata', () => {
    const ro = new Uint8Array(4096);
    ro.set([0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8]); // 1.20+ magic, amd64
    const rw = new Uint8Array(1024);
    new DataView(rw.buffer).setBigUint64(64, 0x500000n, true); // a "pcHeader" pointer with garbage around it
    rw.fill(0xff, 72, 600);
    const img = segmentImage('amd64', [
      { vaddr: 0x500000, writable: false, executable: false, data: ro },
      { vaddr: 0x600000, writable: true, executable: false, data: rw },
    ]);
    expect(pclntabCandidates(img)).toEqual([0x500000]);
    expect(findModuledata(img)).toBeUndefined();
  });

  it('random segments: undefined, never a TypeError', () => {
    let seed = 3;
    const rnd = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let i = 0; i < 20; i++) {
      const ro = rnd(8192);
      ro.set([0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8], 64);
      const rw = rnd(8192);
      new DataView(rw.buffer).setBigUint64(128, 0x500040n, true);
      const img = segmentImage('amd64', [
        { vaddr: 0x500000, writable: false, executable: false, data: ro },
        { vaddr: 0x600000, writable: true, executable: false, data: rw },
      ]);
      const run = (): unknown => recoverGlobals({ image: img, mem: emptyMem, loadBias: 0, minor: 21, layout, threadIds: [] });
      expect(run).not.toThrow();
    }
  });

  it('a table outside the file is a GospyError', () => {
    const img = segmentImage('amd64', []);
    const fm = {
      addr: 0x600000, magic: 0xfffffff1, pclnAddr: 0x500000, pclnEnd: 0x501000, text: 0x401000, etext: 0x402000,
      dataStart: 0x600000, dataEnd: 0x700000, bss: [0, 0] as const, noptrbss: [0, 0] as const, gofunc: undefined, layout: moduledataLayout(20),
    };
    expect(() => fileModuleTable(img, fm)).toThrow(GospyError);
  });
});
