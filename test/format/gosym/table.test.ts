import { describe, expect, it } from 'vitest';
import {
  FUNC_FLAG_SPWRITE, FUNC_FLAG_TOPFRAME, PclnTable, type PclnContext, type PclnVersion,
} from '../../../src/format/gosym/index.ts';
import { FormatError, UnmappedAddressError, UnsupportedError } from '../../../src/base/errors.ts';
import { buildTable, inlTree, memory, type SynFunc, type SynSpec } from './synth.ts';

const TEXT = 0x401000;
const GOFUNC = 0x600000;
const versions: PclnVersion[] = ['1.2', '1.16', '1.18', '1.20'];
const minorOf: Record<PclnVersion, number> = { '1.2': 15, '1.16': 17, '1.18': 19, '1.20': 24 };

/** File numbers are 1-based before 1.16 and cutab-relative (0-based) after. */
const fileno = (v: PclnVersion, i: number): number => (v === '1.2' ? i + 1 : i);

function spec(v: PclnVersion, extra: Partial<SynSpec> = {}, funcs?: SynFunc[]): SynSpec {
  return {
    version: v,
    textStart: TEXT,
    files: ['/src/a.go', '/src/b.go'],
    funcs: funcs ?? [
      {
        name: 'main.f', size: 0x20, args: 16, startLine: 10,
        pcsp: [[1, 4], [24, 0x1c]],
        pcfile: [[fileno(v, 0) + 1, 0x20]],
        pcln: [[11, 0x10], [1, 0x10]],
      },
      {
        name: 'runtime.goexit', size: 0x10, funcID: v === '1.2' ? 2 : v === '1.20' ? 8 : 7, flag: 5,
        pcsp: [[1, 0x10]], pcfile: [[fileno(v, 1) + 1, 0x10]], pcln: [[100, 0x10]],
      },
      { name: 'main.g', size: 0x30, pcfile: [[fileno(v, 1) + 1, 0x30]], pcln: [[5, 0x30]] },
    ],
    ...extra,
  };
}

function ctx(v: PclnVersion, read: PclnContext['readMemory'] = () => undefined, over: Partial<PclnContext> = {}): PclnContext {
  return { textStart: TEXT, linkBias: 0, gofunc: GOFUNC, goMinor: minorOf[v], readMemory: read, ...over };
}

describe.each(versions)('synthetic pclntab %s', (v) => {
  const t = PclnTable.parse(buildTable(spec(v)).data, ctx(v));

  it('parses the header', () => {
    expect(t.version).toBe(v);
    expect(t.nfunc).toBe(3);
    expect(t.ptrSize).toBe(8);
    expect(t.quantum).toBe(1);
  });

  it('finds functions by pc with runtime addresses and rejects pcs outside the table', () => {
    expect(t.findFunc(TEXT)?.name).toBe('main.f');
    expect(t.findFunc(TEXT + 0x1f)?.name).toBe('main.f');
    expect(t.findFunc(TEXT + 0x20)?.name).toBe('runtime.goexit');
    expect(t.findFunc(TEXT + 0x5f)?.name).toBe('main.g');
    expect(t.findFunc(TEXT + 0x60)).toBeUndefined();
    expect(t.findFunc(TEXT - 1)).toBeUndefined();
    expect(t.findFunc(Number.NaN)).toBeUndefined();
    expect(t.findFunc(2 ** 60)).toBeUndefined();
    const f = t.findFunc(TEXT + 4)!;
    expect([f.entry, f.end, f.args]).toEqual([TEXT, TEXT + 0x20, 16]);
    expect(f.startLine).toBe(v === '1.20' ? 10 : undefined);
  });

  it('decodes pcsp, file and line', () => {
    const f = t.funcByName('main.f')!;
    expect(t.pcsp(f, TEXT)).toBe(0);
    expect(t.pcsp(f, TEXT + 4)).toBe(24);
    expect(t.fileLine(f, TEXT + 0xf)).toEqual({ file: '/src/a.go', line: 10 });
    expect(t.fileLine(f, TEXT + 0x10)).toEqual({ file: '/src/a.go', line: 11 });
    const g = t.funcByName('main.g')!;
    expect(t.pcsp(g, g.entry)).toBe(-1); // no pcsp table
    expect(t.fileLine(g, g.entry + 3)).toEqual({ file: '/src/b.go', line: 4 });
  });

  it('names special funcIDs per version and sets TopFrame for goexit', () => {
    const g = t.funcByName('runtime.goexit')!;
    expect(g.special).toBe('goexit');
    expect(g.flag & FUNC_FLAG_TOPFRAME).toBe(FUNC_FLAG_TOPFRAME);
    expect(t.funcByName('main.f')!.special).toBeUndefined();
  });

  it('probes the minor from structure when none is given', () => {
    const p = PclnTable.parse(buildTable(spec(v)).data, ctx(v, undefined, { goMinor: undefined }));
    expect(p.funcByName('runtime.goexit')!.special).toBe('goexit');
    expect(p.minorSource).toBe('probed');
  });

  it('returns −1 for pcdata that is absent and undefined for absent funcdata', () => {
    const f = t.funcByName('main.f')!;
    expect(t.pcdata(f, 0, f.entry)).toBe(-1);
    expect(t.pcdata(f, 99, f.entry)).toBe(-1);
    expect(t.funcdata(f, 0)).toBeUndefined();
    expect(t.inlineFrames(f, f.entry + 0x11)).toEqual([
      { name: 'main.f', file: '/src/a.go', line: 11, funcID: 0, special: undefined, inlined: false, pc: f.entry + 0x11 },
    ]);
  });

  it('throws FormatError for truncated tables at every cut point', () => {
    const full = buildTable(spec(v)).data;
    for (let n = 0; n < full.length; n += 3) {
      const cut = full.subarray(0, n);
      try {
        const p = PclnTable.parse(cut, ctx(v));
        // parse may succeed if only trailing data is missing; lookups must then fail cleanly
        for (let pc = TEXT - 1; pc < TEXT + 0x61; pc += 7) {
          const f = p.findFunc(pc);
          if (f) {
            p.fileLine(f, pc);
            p.pcsp(f, pc);
            p.inlineFrames(f, pc);
          }
        }
      } catch (e) {
        expect(e, `cut at ${n}: ${String(e)}`).toBeInstanceOf(FormatError);
      }
    }
  });

  it('never throws anything but FormatError on random corruption', () => {
    const full = buildTable(spec(v)).data;
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 300; trial++) {
      const d = full.slice();
      for (let k = 0; k < 4; k++) d[8 + Math.floor(rnd() * (d.length - 8))] = Math.floor(rnd() * 256);
      try {
        const p = PclnTable.parse(d, ctx(v));
        for (let pc = TEXT; pc < TEXT + 0x60; pc += 5) {
          const f = p.findFunc(pc);
          if (f) {
            p.fileLine(f, pc);
            p.pcsp(f, pc);
            p.pcdata(f, 2, pc);
          }
        }
        p.funcByName('main.g');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(FormatError);
      }
    }
  });
});

describe('header validation', () => {
  it('rejects bad magic, short input, bad quantum and pointer size', () => {
    const good = buildTable(spec('1.20')).data;
    expect(() => PclnTable.parse(new Uint8Array(4), ctx('1.20'))).toThrow(FormatError);
    const bad = good.slice();
    bad[0] = 0x12;
    expect(() => PclnTable.parse(bad, ctx('1.20'))).toThrow(/unknown magic/);
    const q = good.slice();
    q[6] = 3;
    expect(() => PclnTable.parse(q, ctx('1.20'))).toThrow(/quantum/);
    const p = good.slice();
    p[7] = 2;
    expect(() => PclnTable.parse(p, ctx('1.20'))).toThrow(/pointer size/);
    const be = good.slice();
    be.set([0xff, 0xff, 0xff, 0xf1], 0);
    expect(() => PclnTable.parse(be, ctx('1.20'))).toThrow(UnsupportedError);
  });

  it('rejects an absurd nfunc and an unsorted functab', () => {
    const d = buildTable(spec('1.18')).data.slice();
    d[8 + 5] = 1; // nfunc ≈ 2^40
    expect(() => PclnTable.parse(d, ctx('1.18'))).toThrow(/nfunc/);
    const s = buildTable(spec('1.18'));
    const u = s.data.slice();
    const pcln = u[64]! | (u[65]! << 8) | (u[66]! << 16);
    u[pcln + 8] = 0xff; // functab[1].entryoff > functab[2]
    expect(() => PclnTable.parse(u, ctx('1.18'))).toThrow(/not sorted/);
  });
});

describe('PIE bias and text start', () => {
  it('adds linkBias to ≤1.17 absolute entries and uses textStart for 1.18+', () => {
    const bias = 0x555555554000;
    const old = PclnTable.parse(buildTable(spec('1.16')).data, ctx('1.16', undefined, { linkBias: bias }));
    expect(old.findFunc(TEXT + bias + 0x21)?.name).toBe('runtime.goexit');
    expect(old.findFunc(TEXT + 0x21)).toBeUndefined();
    const neu = PclnTable.parse(buildTable(spec('1.20')).data, ctx('1.20', undefined, { textStart: TEXT + bias }));
    expect(neu.findFunc(TEXT + bias + 0x21)?.name).toBe('runtime.goexit');
  });
});

describe('legacy flags, wrappers and funcIDs', () => {
  it('derives TopFrame/SPWrite from funcIDs before 1.17', () => {
    const funcs: SynFunc[] = [
      { name: 'runtime.mcall', size: 8, funcID: 4 },
      { name: 'runtime.systemstack', size: 8, funcID: 13 },
      { name: 'runtime.asyncPreempt', size: 8, funcID: 21 },
    ];
    const t = PclnTable.parse(buildTable(spec('1.2', {}, funcs)).data, ctx('1.2'));
    expect(t.funcByName('runtime.mcall')!.flag).toBe(FUNC_FLAG_TOPFRAME | FUNC_FLAG_SPWRITE);
    expect(t.funcByName('runtime.systemstack')!.flag).toBe(FUNC_FLAG_SPWRITE);
    expect(t.funcByName('runtime.asyncPreempt')!.special).toBe('asyncPreempt');
  });

  it('uses the per-minor funcID numbering (1.25 renumbered sigpanic)', () => {
    const funcs: SynFunc[] = [{ name: 'runtime.sigpanic', size: 8, funcID: 20 }];
    const d = buildTable(spec('1.20', {}, funcs)).data;
    expect(PclnTable.parse(d, ctx('1.20', undefined, { goMinor: 25 })).funcAt(0).special).toBe('sigpanic');
    expect(PclnTable.parse(d, ctx('1.20', undefined, { goMinor: 22 })).funcAt(0).special).toBe('systemstack');
    expect(PclnTable.parse(d, ctx('1.20', undefined, { goMinor: 21 })).funcAt(0).special).toBe('systemstack_switch');
  });

  it('prefers the non-wrapper of two functions sharing a name', () => {
    const funcs: SynFunc[] = [
      { name: 'main.h', size: 8, funcID: 22 }, // 1.22 wrapper
      { name: 'main.h', size: 8 },
    ];
    const t = PclnTable.parse(buildTable(spec('1.20', {}, funcs)).data, ctx('1.20'));
    expect(t.funcByName('main.h')!.index).toBe(1);
    expect(t.funcsByName('main.h').map((f) => f.special)).toEqual(['wrapper', undefined]);
    expect(t.funcByName('nope')).toBeUndefined();
  });
});

describe.each(versions)('inline expansion %s', (v) => {
  // physical main.outer [0x40] inlines main.mid at pc 0x10..0x20 which inlines main.leaf at 0x14..0x18
  const old = v === '1.2' || v === '1.16';
  const inlIdx = 2;
  const fdInl = v === '1.2' ? 4 : 3;
  const treeAddr = old ? 0x700000 : GOFUNC + 0x100;
  const build = (): { t: PclnTable; nameOff: (n: string) => number } => {
    const funcs: SynFunc[] = [
      {
        name: 'main.outer', size: 0x40,
        pcfile: [[fileno(v, 0) + 1, 0x14], [1, 4], [-1, 0x28]],
        // lines: 20 for [0,0x10), 30 (mid body) [0x10,0x14), 40 (leaf body) [0x14,0x18), 31 [0x18,0x20), 21 rest
        pcln: [[21, 0x10], [10, 4], [10, 4], [-9, 8], [-10, 0x20]],
        pcdata: [undefined, undefined, [[0, 0x10], [1, 4], [1, 4], [-1, 8], [-1, 0x20]]],
        funcdata: [],
      },
    ];
    // names for inlined functions must live in the function name table: add them as extra tiny funcs
    funcs.push({ name: 'main.mid', size: 4 }, { name: 'main.leaf', size: 4 });
    const fd: (number | undefined)[] = [];
    fd[fdInl] = old ? treeAddr : treeAddr - GOFUNC;
    funcs[0]!.funcdata = fd;
    const s = spec(v, { files: ['/src/outer.go', '/src/leaf.go'] }, funcs);
    const tb = buildTable(s);
    // name offsets: find them by decoding the built table
    const probe = PclnTable.parse(tb.data, ctx(v));
    const nameOff = (n: string): number => {
      const f = probe.funcByName(n)!;
      const off = v === '1.18' || v === '1.20' ? 4 : 8;
      const d = tb.data;
      const o = f.off + off;
      return d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24);
    };
    const tree = inlTree(v, [
      { nameOff: nameOff('main.mid'), parentPc: 0x08, funcID: 0 },
      { nameOff: nameOff('main.leaf'), parentPc: 0x12, funcID: 0, parent: 0 },
    ]);
    const t = PclnTable.parse(tb.data, ctx(v, memory([[treeAddr, tree]])));
    return { t, nameOff };
  };
  const { t } = build();
  void inlIdx;

  it('expands innermost first with file:line from the physical tables', () => {
    const f = t.funcByName('main.outer')!;
    expect(t.inlineFrames(f, f.entry + 0x15).map((x) => [x.name, x.file, x.line, x.inlined])).toEqual([
      ['main.leaf', '/src/leaf.go', 40, true],
      ['main.mid', '/src/outer.go', 30, true],
      ['main.outer', '/src/outer.go', 20, false],
    ]);
    expect(t.inlineFrames(f, f.entry + 0x19).map((x) => [x.name, x.line])).toEqual([
      ['main.mid', 31],
      ['main.outer', 20],
    ]);
    expect(t.inlineFrames(f, f.entry + 0x30).map((x) => [x.name, x.line])).toEqual([['main.outer', 21]]);
  });

  it('reports an unreadable tree as UnmappedAddressError', () => {
    const f = t.funcByName('main.outer')!;
    const t2 = PclnTable.parse(
      buildTable(spec(v, { files: ['/src/outer.go', '/src/leaf.go'] }, [
        { name: 'main.outer', size: 0x40, pcdata: [undefined, undefined, [[1, 0x40]]], funcdata: Object.assign([], { [fdInl]: old ? treeAddr : 0x100 }) },
      ])).data,
      ctx(v),
    );
    expect(() => t2.inlineFrames(t2.funcAt(0), f.entry + 1)).toThrow(UnmappedAddressError);
  });
});

describe('funcdata addresses', () => {
  it('1.18+: gofunc + u32 offset, 0xffffffff = none, and needs gofunc', () => {
    const d = buildTable(spec('1.20', {}, [{ name: 'a', size: 4, funcdata: [0x10, undefined, 0] }])).data;
    const t = PclnTable.parse(d, ctx('1.20'));
    const f = t.funcAt(0);
    expect(t.funcdata(f, 0)).toBe(GOFUNC + 0x10);
    expect(t.funcdata(f, 1)).toBeUndefined();
    expect(t.funcdata(f, 2)).toBe(GOFUNC);
    expect(t.funcdata(f, 3)).toBeUndefined();
    const n = PclnTable.parse(d, ctx('1.20', undefined, { gofunc: undefined }));
    expect(() => n.funcdata(n.funcAt(0), 0)).toThrow(UnsupportedError);
  });

  it('≤1.17: absolute pointer + linkBias with the 8-byte alignment padding', () => {
    for (const npc of [0, 1, 2, 3]) {
      const pcdata = Array.from({ length: npc }, () => undefined);
      const d = buildTable(spec('1.16', {}, [{ name: 'a', size: 4, pcdata, funcdata: [0x500000, 0, 0x500100] }])).data;
      const t = PclnTable.parse(d, ctx('1.16', undefined, { linkBias: 0x1000 }));
      const f = t.funcAt(0);
      expect([t.funcdata(f, 0), t.funcdata(f, 1), t.funcdata(f, 2)], `npcdata ${npc}`).toEqual([0x501000, undefined, 0x501100]);
    }
  });

  it('argInfo reads through 0xff; argLiveInfo is capped', () => {
    const d = buildTable(spec('1.20', {}, [{ name: 'a', size: 4, funcdata: [undefined, undefined, undefined, undefined, undefined, 0x0, 0x80] }])).data;
    const arg = Uint8Array.of(0, 8, 8, 8, 0xff, 9, 9);
    const live = new Uint8Array(300).fill(3);
    const t = PclnTable.parse(d, ctx('1.20', memory([[GOFUNC, arg], [GOFUNC + 0x80, live]])));
    expect(Array.from(t.argInfo(t.funcAt(0))!)).toEqual([0, 8, 8, 8, 0xff]);
    expect(t.argLiveInfo(t.funcAt(0))!.length).toBe(256);
    expect(t.argLiveIndex(t.funcAt(0), TEXT)).toBe(-1);
    expect(t.pcdataArgLiveIndex).toBe(3);
  });
});

describe('a large table', () => {
  // Timing lives in bench/gosym-pclntab.ts (parse and lookup throughput on real executables).
  it('parses a 20k-function table and finds every function by pc', () => {
    const funcs: SynFunc[] = [];
    for (let i = 0; i < 20000; i++) {
      funcs.push({ name: `pkg${i % 50}.F${i}`, size: 0x40, pcsp: [[1, 4], [8, 0x3c]], pcfile: [[1, 0x40]], pcln: [[i % 1000, 0x10], [1, 0x10], [1, 0x20]] });
    }
    const t = PclnTable.parse(buildTable(spec('1.20', {}, funcs)).data, ctx('1.20'));
    expect(t.nfunc).toBe(20000);
    const wrong: string[] = [];
    for (let k = 0; k < 100000; k++) {
      const i = (k * 7919) % 20000;
      const pc = TEXT + i * 0x40 + (k % 0x40);
      const f = t.findFunc(pc);
      if (f === undefined || f.name !== `pkg${i % 50}.F${i}`) wrong.push(`0x${pc.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });
});
