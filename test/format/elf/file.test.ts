import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { BufferSource } from '../../../src/base/bytes.ts';
import { FormatError, GospyError, TruncatedError, UnsupportedError } from '../../../src/base/errors.ts';
import { ElfFile } from '../../../src/format/elf/file.ts';
import { EM, ET_CORE, ET_EXEC, PT, SHF_COMPRESSED, SHT_NOTE, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, nameOf } from '../../../src/format/elf/constants.ts';
import { Bytes, buildElf, goExe, note, symtab } from '../../support/elf-builder.ts';

const src = (b: Uint8Array, name = 'test.elf') => new BufferSource(b, name);

function chdr(type: number, size: number, body: Uint8Array): Uint8Array {
  return new Bytes().u32(type).u32(0).u64(size).u64(1).bytes(body).done();
}

function exeWithSections(): Uint8Array {
  const { symtab: st, strtab } = symtab([
    { name: 'main.main', value: 0x401000, size: 0x40 },
    { name: 'runtime.allgs', value: 0x520000, info: 0x11 },
    { name: 'high', value: 0xffffffffff600000n },
  ]);
  const text = new Uint8Array(0x100).map((_, i) => i);
  const debug = new TextEncoder().encode('hello dwarf '.repeat(50));
  return buildElf({
    type: ET_EXEC,
    entry: 0x401000,
    segments: [{ vaddr: 0x401000, data: text, memsz: 0x200, flags: 5 }],
    sections: [
      { name: '.text', type: SHT_PROGBITS, flags: 6, addr: 0x401000, data: text },
      { name: '.note.go.buildid', type: SHT_NOTE, flags: 2, data: note('Go', 4, new TextEncoder().encode('abc/def')), addralign: 4 },
      { name: '.note.gnu.build-id', type: SHT_NOTE, flags: 2, data: note('GNU', 3, new Uint8Array([0xde, 0xad, 0xbe, 0xef])), addralign: 4 },
      { name: '.debug_info', type: SHT_PROGBITS, flags: SHF_COMPRESSED, data: chdr(1, debug.length, deflateSync(debug)) },
      { name: '.zdebug_line', type: SHT_PROGBITS, data: concatZ(debug) },
      { name: '.symtab', type: SHT_SYMTAB, data: st, link: '.strtab', entsize: 24 },
      { name: '.strtab', type: SHT_STRTAB, data: strtab },
    ],
  });
}

function concatZ(d: Uint8Array): Uint8Array {
  const b = new Bytes().bytes(new TextEncoder().encode('ZLIB'));
  let n = d.length;
  const be: number[] = [];
  for (let i = 0; i < 8; i++) {
    be.unshift(n % 256);
    n = Math.floor(n / 256);
  }
  for (const x of be) b.u8(x);
  return b.bytes(deflateSync(d)).done();
}

describe('nameOf', () => {
  it.each([
    [PT, 1, 'PT_LOAD'],
    [PT, 0x6474e550, 'PT_GNU_EH_FRAME'],
    [PT, 0x6474e560, 'PT_0x6474e560'],
    [EM, 183, 'EM_AARCH64'],
  ] as const)('%#: %s', (table, v, want) => {
    expect(nameOf(table, v)).toBe(want);
  });
});

describe('ElfFile.parse: valid files', () => {
  it('executable with sections, notes, symbols, compressed sections', () => {
    const f = ElfFile.parse(src(exeWithSections()));
    expect(f.header.type).toBe(ET_EXEC);
    expect(f.header.machine).toBe(62);
    expect(f.header.entry).toBe(0x401000);
    expect(f.progs).toHaveLength(1);
    expect(f.sections.map((s) => s.name)).toEqual([
      '', '.text', '.note.go.buildid', '.note.gnu.build-id', '.debug_info', '.zdebug_line', '.symtab', '.strtab', '.shstrtab',
    ]);
    expect(f.section('.text')?.addr).toBe(0x401000);
    expect(f.goBuildId()).toBe('abc/def');
    expect(f.gnuBuildId()).toBe('deadbeef');
    const want = 'hello dwarf '.repeat(50);
    expect(new TextDecoder().decode(f.sectionData(f.section('.debug_info')!))).toBe(want);
    expect(new TextDecoder().decode(f.sectionData(f.section('.zdebug_line')!))).toBe(want);
    const syms = f.symbols();
    expect(syms.get('main.main')).toMatchObject({ value: 0x401000, size: 0x40, type: 2, bind: 1 });
    expect(syms.get('runtime.allgs')).toMatchObject({ value: 0x520000, type: 1 });
    expect(syms.get('high')?.value).toBeNaN();
    expect(syms.get('high')?.valueBig).toBe(0xffffffffff600000n);
    expect(f.readVirtual(0x401010, 4)).toEqual(new Uint8Array([0x10, 0x11, 0x12, 0x13]));
    expect(f.readVirtual(0x401100, 4)).toBeUndefined(); // bss part (memsz > filesz)
    expect(f.segmentForAddr(0x401100)?.index).toBe(0);
    expect(f.segmentForAddr(0x401200)).toBeUndefined();
  });

  it('zstd-compressed section (when Node has zstd)', () => {
    const z = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Uint8Array }).zstdCompressSync;
    if (!z) throw new Error('this Node has no zstd; gospy requires Node >= 22.15');
    const data = new TextEncoder().encode('zstd data '.repeat(20));
    const f = ElfFile.parse(src(buildElf({
      type: ET_EXEC,
      sections: [{ name: '.debug_abbrev', type: SHT_PROGBITS, flags: SHF_COMPRESSED, data: chdr(2, data.length, z(data)) }],
    })));
    expect(f.sectionData(f.section('.debug_abbrev')!)).toEqual(data);
  });

  it('core without section headers (kernel style)', () => {
    const notes = note('CORE', 1, new Uint8Array(336));
    const f = ElfFile.parse(src(buildElf({
      type: ET_CORE,
      segments: [
        { type: 4, vaddr: 0, data: notes, align: 4 },
        { vaddr: 0xc000000000, data: new Uint8Array(16).fill(7) },
        { vaddr: 0xffffffffff600000n, data: new Uint8Array(8), flags: 1 },
      ],
    })));
    expect(f.sections).toEqual([]);
    expect(f.section('.text')).toBeUndefined();
    expect(f.symbols().size).toBe(0);
    expect([...f.notes(f.progs[0]!)].map((n) => [n.name, n.type, n.desc.length])).toEqual([['CORE', 1, 336]]);
    const vs = f.progs[2]!;
    expect(vs.vaddr).toBeNaN();
    expect(vs.vaddrBig).toBe(0xffffffffff600000n);
    expect(f.segmentForAddr(0xc000000008)?.index).toBe(1);
  });

  it('PN_XNUM: the real phnum comes from section 0 sh_info', () => {
    const segs = Array.from({ length: 3 }, (_, i) => ({ vaddr: 0x10000 * (i + 1), data: new Uint8Array(8) }));
    const f = ElfFile.parse(src(buildElf({ type: ET_CORE, segments: segs, pnXnum: true })));
    expect(f.header.phnum).toBe(3);
    expect(f.progs.map((p) => p.vaddr)).toEqual([0x10000, 0x20000, 0x30000]);
  });

  it('8-byte-aligned notes (p_align 8)', () => {
    const n = new Bytes().u32(4).u32(4).u32(5).cstr('GNU').align(8).u32(0x1234).align(8).done();
    const f = ElfFile.parse(src(buildElf({ type: ET_EXEC, segments: [{ type: 4, vaddr: 0, data: n, align: 8 }] })));
    const got = [...f.notes(f.progs[0]!)];
    expect(got).toHaveLength(1);
    expect(got[0]!.desc).toEqual(new Uint8Array([0x34, 0x12, 0, 0]));
  });

  it('goExe builder: build id via PT_NOTE only', () => {
    const f = ElfFile.parse(src(goExe({ buildId: 'xyz' })));
    expect(f.goBuildId()).toBe('xyz');
    expect(f.gnuBuildId()).toBeUndefined();
  });
});

function expectGospy(f: () => unknown, cls: new (...a: never[]) => GospyError, msg: string | RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(msg);
}

describe('ElfFile.parse: bad input', () => {
  const good = exeWithSections();
  const patch = (off: number, bytes: number[]): Uint8Array => {
    const b = good.slice();
    b.set(bytes, off);
    return b;
  };
  const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => Math.floor(v / 256 ** i) % 256);

  it.each([
    ['empty file', new Uint8Array(0), FormatError, 'not an ELF file'],
    ['bad magic', patch(0, [0x7f, 0x45, 0x4c, 0x47]), FormatError, /not an ELF file \(magic '7f454c47'\)/],
    ['text file', new TextEncoder().encode('hello world, this is not an ELF file at all....................................'), FormatError, 'not an ELF file'],
    ['ELF32', patch(4, [1]), UnsupportedError, 'only 64-bit'],
    ['big-endian', patch(5, [2]), UnsupportedError, 'only little-endian'],
    ['cut inside the header', good.subarray(0, 40), TruncatedError, 'ELF header'],
    ['hostile e_phnum', patch(56, [0xfe, 0xff]), TruncatedError, /65534 program headers/],
    ['hostile e_phoff', patch(32, le(2 ** 60, 8)), TruncatedError, /program headers/],
    ['bad e_phentsize', patch(54, [8, 0]), FormatError, 'e_phentsize'],
  ] as const)('%s', (_name, bytes, cls, msg) => {
    expectGospy(() => ElfFile.parse(src(bytes)), cls, msg);
  });

  it('hostile e_shnum is caught when sections are read', () => {
    const f = ElfFile.parse(src(patch(60, [0xff, 0xfe])));
    expectGospy(() => f.sections, TruncatedError, /section headers/);
  });

  it('hostile section 0 sh_size (e_shnum 0) cannot allocate', () => {
    const shoff = Number(new DataView(good.buffer).getBigUint64(40, true));
    const b = good.slice();
    b.set([0, 0], 60);
    b.set(le(2 ** 40, 8), shoff + 32);
    const f = ElfFile.parse(src(b));
    expectGospy(() => f.sections, TruncatedError, /section headers/);
  });

  it('hostile compressed size', () => {
    const f = ElfFile.parse(src(buildElf({
      type: ET_EXEC,
      sections: [{ name: '.debug_info', type: SHT_PROGBITS, flags: SHF_COMPRESSED, data: chdr(1, 2 ** 40, deflateSync(new Uint8Array(10))) }],
    })));
    expectGospy(() => f.sectionData(f.section('.debug_info')!), FormatError, 'implausible');
  });

  it('corrupt zlib stream', () => {
    const f = ElfFile.parse(src(buildElf({
      type: ET_EXEC,
      sections: [{ name: '.debug_info', type: SHT_PROGBITS, flags: SHF_COMPRESSED, data: chdr(1, 100, new Uint8Array(40).fill(0x55)) }],
    })));
    expectGospy(() => f.sectionData(f.section('.debug_info')!), FormatError, 'cannot decompress');
  });

  it('hostile note sizes', () => {
    const n = new Bytes().u32(5).u32(0xfffffff0).u32(1).cstr('CORE').align(4).zeros(16).done();
    const f = ElfFile.parse(src(buildElf({ type: ET_CORE, segments: [{ type: 4, vaddr: 0, data: n, align: 4 }] })));
    expectGospy(() => [...f.notes(f.progs[0]!)], FormatError, /note claims/);
  });

  it('truncated at every 97th byte: a GospyError or a valid parse, never anything else', () => {
    for (let cut = 0; cut < good.length; cut += 97) {
      try {
        const f = ElfFile.parse(src(good.subarray(0, cut)));
        for (const s of f.sections) if (s.size > 0 && s.type !== 8) f.sectionData(s);
        f.symbols();
        f.goBuildId();
      } catch (e) {
        expect(e, `cut at ${cut}: ${String(e)}`).toBeInstanceOf(GospyError);
      }
    }
  });
});
