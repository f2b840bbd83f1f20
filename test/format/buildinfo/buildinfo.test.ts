import { describe, expect, it } from 'vitest';
import {
  findBuildInfo,
  findBuildVersionString,
  formatGoVersionM,
  goQuote,
  parseModInfo,
  type BuildInfoSource,
} from '../../../src/format/buildinfo/buildinfo.ts';
import { FormatError } from '../../../src/base/errors.ts';

const enc = new TextEncoder();
const START = Uint8Array.of(0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6);
const END = Uint8Array.of(0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2);
const MAGIC = Uint8Array.of(0xff, ...enc.encode(' Go buildinf:'));

function cat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function uvarint(n: number): number[] {
  const b: number[] = [];
  do {
    b.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return b;
}
function le64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
function framed(mod: string): Uint8Array {
  return cat(START, enc.encode(mod), END);
}

/** go1.21.13's module info for a small program, as `go version -m` showed it. */
const MOD21 =
  'path\texample.com/dwtest\nmod\texample.com/dwtest\t(devel)\t\nbuild\t-buildmode=exe\nbuild\t-compiler=gc\nbuild\tDefaultGODEBUG=netedns0=0,panicnil=1\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\nbuild\tGOAMD64=v1\n';
const GO_VERSION_M_21 = `exe21: go1.21.13
\tpath\texample.com/dwtest
\tmod\texample.com/dwtest\t(devel)\t
\tbuild\t-buildmode=exe
\tbuild\t-compiler=gc
\tbuild\tDefaultGODEBUG=netedns0=0,panicnil=1
\tbuild\tCGO_ENABLED=0
\tbuild\tGOARCH=amd64
\tbuild\tGOOS=linux
\tbuild\tGOAMD64=v1
`;

function inlineHeader(version: string, mod: Uint8Array): Uint8Array {
  const v = enc.encode(version);
  return cat(MAGIC, [8, 2], new Uint8Array(16), uvarint(v.length), v, uvarint(mod.length), mod);
}

interface Seg {
  vaddr: number;
  data: Uint8Array;
}
function source(opts: { section?: Seg; writable?: Seg[]; readonly?: Seg[]; rodata?: Seg }): BuildInfoSource {
  const all = [...(opts.writable ?? []), ...(opts.readonly ?? []), ...(opts.section ? [opts.section] : []), ...(opts.rodata ? [opts.rodata] : [])];
  return {
    ptrSize: 8,
    section: (name) =>
      name === '.go.buildinfo' && opts.section
        ? { addr: opts.section.vaddr, data: opts.section.data }
        : name === '.rodata' && opts.rodata
          ? { addr: opts.rodata.vaddr, data: opts.rodata.data }
          : undefined,
    writableSegments: () => opts.writable ?? [],
    readonlySegments: () => opts.readonly ?? [],
    readVirtual(addr, len) {
      for (const s of all) if (addr >= s.vaddr && addr + len <= s.vaddr + s.data.length) return s.data.subarray(addr - s.vaddr, addr - s.vaddr + len);
      return undefined;
    },
  };
}

describe('findBuildInfo', () => {
  it('decodes the inline (go1.18+) form from .go.buildinfo and prints like go version -m', () => {
    const bi = findBuildInfo(source({ section: { vaddr: 0x540000, data: inlineHeader('go1.21.13', framed(MOD21)) } }))!;
    expect(bi.goVersion).toBe('go1.21.13');
    expect(bi.path).toBe('example.com/dwtest');
    expect(bi.main).toEqual({ path: 'example.com/dwtest', version: '(devel)', sum: '' });
    expect(bi.deps).toEqual([]);
    expect(bi.settings[2]).toEqual(['DefaultGODEBUG', 'netedns0=0,panicnil=1']);
    expect(bi.headerAddr).toBe(0x540000);
    expect(bi.foundIn).toBe('section');
    expect(formatGoVersionM('exe21', bi)).toBe(GO_VERSION_M_21);
  });

  it('finds the header in a writable segment only at 16-byte alignment', () => {
    const hdr = inlineHeader('go1.22rc1', framed(MOD21));
    // A decoy magic at an unaligned address first, then the real one at 0x...20.
    const data = cat(new Uint8Array(3), MAGIC, new Uint8Array(32 - 3 - MAGIC.length), hdr);
    const bi = findBuildInfo(source({ writable: [{ vaddr: 0x600000, data }] }))!;
    expect(bi.goVersion).toBe('go1.22rc1');
    expect(bi.headerAddr).toBe(0x600020);
    expect(bi.foundIn).toBe('segment');
  });

  it('decodes the pointer (go1.13–1.17) form through readVirtual', () => {
    const ver = enc.encode('go1.15.15');
    const mod = framed('path\tx\nmod\tx\t(devel)\t\n');
    // rodata: version bytes at 0x4a0000, modinfo bytes at 0x4a0100
    const rodata = new Uint8Array(0x200 + mod.length);
    rodata.set(ver, 0);
    rodata.set(mod, 0x100);
    // data: string headers at 0x550000 (buildVersion) and 0x550010 (modinfo)
    const data = cat(le64(0x4a0000), le64(ver.length), le64(0x4a0100), le64(mod.length));
    const hdr = cat(MAGIC, [8, 0], le64(0x550000), le64(0x550010));
    const bi = findBuildInfo(
      source({ section: { vaddr: 0x540000, data: hdr }, writable: [{ vaddr: 0x550000, data }], readonly: [{ vaddr: 0x4a0000, data: rodata }] }),
    )!;
    expect(bi.goVersion).toBe('go1.15.15');
    expect(formatGoVersionM('e', bi)).toBe('e: go1.15.15\n\tpath\tx\n\tmod\tx\t(devel)\t\n');
  });

  it('module info without its sentinels is ignored (as debug/buildinfo does)', () => {
    const bi = findBuildInfo(source({ section: { vaddr: 0, data: inlineHeader('go1.20', enc.encode('path\tx\n')) } }))!;
    expect(bi.modinfo).toBe('');
    expect(bi.path).toBe('');
    expect(formatGoVersionM('f', bi)).toBe('f: go1.20\n');
  });

  it('no magic anywhere → undefined', () => {
    expect(findBuildInfo(source({ writable: [{ vaddr: 0x1000, data: new Uint8Array(4096) }] }))).toBeUndefined();
  });

  const bad: { name: string; data: Uint8Array; msg: RegExp }[] = [
    { name: 'header shorter than 32 bytes', data: cat(MAGIC, [8, 2]), msg: /header truncated/ },
    { name: 'version length past the data', data: cat(MAGIC, [8, 2], new Uint8Array(16), [0x7f, 0x67]), msg: /Go version length 127 runs past/ },
    { name: 'unterminated varint', data: cat(MAGIC, [8, 2], new Uint8Array(16), [0x80]), msg: /length truncated/ },
    { name: 'module info length past the data', data: cat(MAGIC, [8, 2], new Uint8Array(16), [2, 0x67, 0x6f, 0xff, 0x01]), msg: /module info length 255/ },
    { name: 'empty version', data: cat(MAGIC, [8, 2], new Uint8Array(16), [0, 0]), msg: /empty Go version/ },
    { name: 'pointer form with bad pointer size', data: cat(MAGIC, [3, 0], new Uint8Array(16)), msg: /bad pointer size 3/ },
    { name: 'pointer form pointing nowhere', data: cat(MAGIC, [8, 0], le64(0x9999), le64(0x9999)), msg: /not in the file/ },
  ];
  it.each(bad)('$name → FormatError', ({ data, msg }) => {
    const run = () => findBuildInfo(source({ section: { vaddr: 0x540000, data } }));
    expect(run).toThrow(FormatError);
    expect(run).toThrow(msg);
  });

  it('truncating a real-shaped header at every byte gives FormatError or a result, never a crash', () => {
    const full = inlineHeader('go1.21.13', framed(MOD21));
    for (let n = MAGIC.length; n < full.length; n++) {
      try {
        findBuildInfo(source({ section: { vaddr: 0x540000, data: full.subarray(0, n) } }));
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
      }
    }
  });
});

describe('parseModInfo and formatGoVersionM', () => {
  const text = [
    'path\texample.com/app',
    'mod\texample.com/app\tv1.2.3\th1:main=',
    'dep\tgolang.org/x/sys\tv0.1.0\th1:sys=',
    'dep\texample.com/old\tv1.0.0',
    '=>\texample.com/new\tv1.1.0\th1:new=',
    'build\t-ldflags="-X main.v=1 -s"',
    'build\t"we=ird key"=v',
    'build\tvcs.modified=true',
    'garbage line',
    '',
  ].join('\n');

  it('parses deps, replacements and quoted settings', () => {
    const m = parseModInfo(text);
    expect(m.path).toBe('example.com/app');
    expect(m.main).toEqual({ path: 'example.com/app', version: 'v1.2.3', sum: 'h1:main=' });
    expect(m.deps).toEqual([
      { path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:sys=' },
      { path: 'example.com/old', version: 'v1.0.0', sum: '', replace: { path: 'example.com/new', version: 'v1.1.0', sum: 'h1:new=' } },
    ]);
    expect(m.settings).toEqual([
      ['-ldflags', '-X main.v=1 -s'],
      ['we=ird key', 'v'],
      ['vcs.modified', 'true'],
    ]);
  });

  it('prints like runtime/debug.BuildInfo.String under go version -m', () => {
    expect(formatGoVersionM('app', { goVersion: 'go1.22.0', ...parseModInfo(text) })).toBe(
      [
        'app: go1.22.0',
        '\tpath\texample.com/app',
        '\tmod\texample.com/app\tv1.2.3\th1:main=',
        '\tdep\tgolang.org/x/sys\tv0.1.0\th1:sys=',
        '\tdep\texample.com/old\tv1.0.0',
        '\t=>\texample.com/new\tv1.1.0\th1:new=',
        '\tbuild\t-ldflags="-X main.v=1 -s"',
        '\tbuild\t"we=ird key"=v',
        '\tbuild\tvcs.modified=true',
        '',
      ].join('\n'),
    );
  });

  it('quotes like strconv.Quote', () => {
    expect(goQuote('a "b"\t\\\n\x01é')).toBe('"a \\"b\\"\\t\\\\\\n\\x01é"');
  });
});

describe('findBuildVersionString', () => {
  const rodata = enc.encode('xxgo1.2 is old; go1.21.13go1.21.13 X:boringcryptoyy');
  const RO = 0x4a0000;
  const at = (s: string, from = 0) => RO + new TextDecoder().decode(rodata).indexOf(s, from);
  it('finds the {ptr,len} header pointing at a version string', () => {
    const hdrAddr = 0x550008;
    const data = cat(le64(at('go1.2 is')), le64(3), le64(at('go1.21.13 X')), le64('go1.21.13 X:boringcrypto'.length), le64(0));
    const v = findBuildVersionString(source({ rodata: { vaddr: RO, data: rodata }, writable: [{ vaddr: 0x550000, data: cat(new Uint8Array(8), data) }] }));
    expect(v).toEqual({ goVersion: 'go1.21.13 X:boringcrypto', headerAddr: hdrAddr + 16, stringAddr: at('go1.21.13 X') });
  });

  it('accepts the runtime.buildVersion symbol address', () => {
    const data = cat(le64(at('go1.21.13')), le64(9));
    const src = source({ rodata: { vaddr: RO, data: rodata }, writable: [{ vaddr: 0x560000, data }] });
    expect(findBuildVersionString(src, 0x560000)?.goVersion).toBe('go1.21.13');
    expect(findBuildVersionString(src, 0x999999)).toBeUndefined();
  });

  it('uses read-only segments when there is no .rodata, and returns undefined when nothing points at a version', () => {
    const data = cat(le64(at('go1.21.13')), le64(9));
    expect(findBuildVersionString(source({ readonly: [{ vaddr: RO, data: rodata }], writable: [{ vaddr: 0x560000, data }] }))?.goVersion).toBe('go1.21.13');
    expect(findBuildVersionString(source({ readonly: [{ vaddr: RO, data: rodata }], writable: [{ vaddr: 0x560000, data: new Uint8Array(64) }] }))).toBeUndefined();
    expect(findBuildVersionString(source({ writable: [{ vaddr: 0x560000, data }] }))).toBeUndefined();
  });
});
