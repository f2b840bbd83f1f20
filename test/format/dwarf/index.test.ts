import { describe, expect, it } from 'vitest';
import { parseDwarf, fieldOffset, resolveField } from '../../../src/format/dwarf/index.ts';
import { FormatError } from '../../../src/base/errors.ts';
import * as F from '../../../src/format/dwarf/constants.ts';
import { buildDwarf } from '../../support/dwarf-builder.ts';
import { goDwarf, goTypesRoot } from './fixtures.ts';

const flavours = [
  { name: 'DWARF 4, 32-bit', version: 4, offsetSize: 4 },
  { name: 'DWARF 4, 64-bit', version: 4, offsetSize: 8 },
  { name: 'DWARF 5, 32-bit', version: 5, offsetSize: 4 },
  { name: 'DWARF 5, 64-bit', version: 5, offsetSize: 8 },
] as const;

describe.each(flavours)('parseDwarf on a Go unit ($name)', ({ version, offsetSize }) => {
  const d = goDwarf(version, offsetSize);
  const idx = parseDwarf(d);

  it('records the producer and the unit', () => {
    expect(idx.producer).toBe('Go cmd/compile go1.27.3; regabi');
    expect(idx.units).toEqual([
      { offset: 0, version, unitType: F.DW_UT_compile, offsetSize, language: F.DW_LANG_Go, name: 'runtime', producer: 'Go cmd/compile go1.27.3; regabi' },
    ]);
  });

  it('indexes structs with lazily decoded members', () => {
    const g = idx.struct('runtime.g')!;
    expect(g.kind).toBe('struct');
    expect(g.size).toBe(456);
    expect(g.offset).toBe(d.labels.get('g'));
    expect(g.members!.map((m) => [m.name, m.offset])).toEqual([
      ['stack', 0],
      ['sched', 56],
      ['atomicstatus', 144],
      ['goid', 152],
      ['waitreason', 176],
    ]);
    expect(g.member('goid')!.type!.name).toBe('uint64');
    expect(g.member('nope')).toBeUndefined();
  });

  it('resolves dotted field paths through typedefs and nested structs', () => {
    expect(fieldOffset(idx, 'runtime.g', 'goid')).toBe(152);
    expect(fieldOffset(idx, 'runtime.g', 'sched.sp')).toBe(56);
    expect(fieldOffset(idx, 'runtime.g', 'sched.bp')).toBe(104);
    expect(fieldOffset(idx, 'runtime.g', 'stack.hi')).toBe(8);
    expect(fieldOffset(idx, 'runtime.g', 'atomicstatus')).toBe(144);
    expect(fieldOffset(idx, 'runtime.g', 'atomicstatus.value')).toBe(144);
    expect(resolveField(idx, 'runtime.g', 'atomicstatus.value')!.type!.name).toBe('uint32');
    expect(fieldOffset(idx, 'runtime.g', 'sched.nope')).toBeUndefined();
    expect(fieldOffset(idx, 'runtime.g', 'goid.value')).toBeUndefined();
    expect(fieldOffset(idx, 'runtime.nope', 'goid')).toBeUndefined();
  });

  it('decodes typedefs, pointers, slices, strings, arrays and base types', () => {
    const td = idx.typedef('internal/runtime/atomic.Uint32')!;
    expect(td.kind).toBe('typedef');
    expect(td.resolve().kind).toBe('struct');
    expect(td.resolve().member('value')!.embedded).toBe(false);
    expect(td.resolve().member('noCopy')!.embedded).toBe(true);
    const pg = idx.typeByName('*runtime.g')!;
    expect(pg.kind).toBe('pointer');
    expect(pg.elem!.kind).toBe('typedef');
    expect(pg.elem!.resolve()).toBe(idx.struct('runtime.g'));
    const sl = idx.type(d.labels.get('slice')!);
    expect([sl.kind, sl.name, sl.size, sl.goKind, sl.elem!.name]).toEqual(['slice', '[]*runtime.g', 24, 23, '*runtime.g']);
    expect(sl.members!.map((m) => m.name)).toEqual(['array', 'len', 'cap']);
    const st = idx.type(d.labels.get('string')!);
    expect([st.kind, st.size]).toEqual(['string', 16]);
    const arr = idx.typeByName('[4]uint32')!;
    expect([arr.kind, arr.count, arr.elem!.name, arr.size]).toEqual(['array', 4, 'uint32', 16]);
    const u8 = idx.baseType('uint8')!;
    expect([u8.kind, u8.size, u8.members, u8.count]).toEqual(['base', 1, undefined, undefined]);
    expect(idx.type(d.labels.get('g')!)).toBe(idx.struct('runtime.g')); // cached
  });

  it('indexes unit-level variables (not nested ones) with DW_OP_addr addresses', () => {
    const v = idx.variable('runtime.allgs')!;
    expect(v.address).toBe(0x520940);
    expect(v.type!.kind).toBe('slice');
    expect(idx.variable('runtime.buildVersion')!.type!.kind).toBe('string');
    expect(idx.variable('runtime.nope')).toBeUndefined();
    expect([...idx.variableNames]).toEqual(['runtime.allgs', 'runtime.buildVersion']);
  });

  it('indexes constants, exactly', () => {
    expect(idx.constant('runtime._Grunning')).toBe(2);
    expect(idx.constant('runtime._Gscan')).toBe(0x1000);
    expect(idx.constant('runtime.negative')).toBe(-5);
    expect(idx.constant('math.MaxUint64')).toBe(0xffffffffffffffffn);
    expect(idx.constantsWithPrefix('runtime._G')).toEqual([
      ['runtime._Grunning', 2],
      ['runtime._Gscan', 0x1000],
    ]);
  });
});

describe('DWARF 5 forms', () => {
  // A unit using every DWARF 5 form, in positions the index skips (a C unit, then a Go subprogram
  // and a nested struct) and in positions it decodes (names via strx/strp/line_strp, addrx locations).
  const allForms = (): (readonly [number, number, unknown])[] => [
    [0x3a, F.DW_FORM_data1, 1],
    [0x3b, F.DW_FORM_data2, 0x1234],
    [0x3c, F.DW_FORM_data4, 0x12345678],
    [0x3d, F.DW_FORM_data8, 0x123456789abcdefn],
    [0x40, F.DW_FORM_data16, new Uint8Array(16).fill(7)],
    [0x41, F.DW_FORM_sdata, -1234567],
    [0x42, F.DW_FORM_udata, 1234567],
    [0x43, F.DW_FORM_implicit_const, -3],
    [0x44, F.DW_FORM_string, 'inline'],
    [0x45, F.DW_FORM_strp, 'in .debug_str'],
    [0x46, F.DW_FORM_line_strp, 'in .debug_line_str'],
    [0x47, F.DW_FORM_strx, 'strx'],
    [0x48, F.DW_FORM_strx1, 'strx1'],
    [0x4a, F.DW_FORM_strx2, 'strx2'],
    [0x4b, F.DW_FORM_strx3, 'strx3'],
    [0x4c, F.DW_FORM_strx4, 'strx4'],
    [0x4d, F.DW_FORM_addrx, 0x1000],
    [0x4e, F.DW_FORM_addrx1, 0x1001],
    [0x4f, F.DW_FORM_addrx2, 0x1002],
    [0x50, F.DW_FORM_addrx3, 0x1003],
    [0x51, F.DW_FORM_addrx4, 0x1004],
    [0x52, F.DW_FORM_addr, 0x401000],
    [0x53, F.DW_FORM_block1, Uint8Array.of(1, 2, 3)],
    [0x54, F.DW_FORM_block2, Uint8Array.of(1, 2)],
    [0x55, F.DW_FORM_block4, Uint8Array.of(1)],
    [0x56, F.DW_FORM_block, Uint8Array.of(9, 9, 9, 9)],
    [0x57, F.DW_FORM_exprloc, Uint8Array.of(0x9c)],
    [0x58, F.DW_FORM_flag, true],
    [0x59, F.DW_FORM_flag_present, true],
    [0x5a, F.DW_FORM_sec_offset, 0x40],
    [0x5b, F.DW_FORM_loclistx, 3],
    [0x5c, F.DW_FORM_rnglistx, 300],
    [0x5d, F.DW_FORM_ref_sig8, 0xfeedfacecafebeefn],
    [0x5e, F.DW_FORM_ref4, { ref: 'cu' }],
    [0x5f, F.DW_FORM_ref1, { ref: 'cu' }],
    [0x60, F.DW_FORM_ref2, { ref: 'cu' }],
    [0x61, F.DW_FORM_ref8, { ref: 'cu' }],
    [0x62, F.DW_FORM_ref_addr, { ref: 'cu' }],
    [0x63, F.DW_FORM_indirect, { indirect: F.DW_FORM_udata, value: 99 }],
    [0x64, F.DW_FORM_indirect, { indirect: F.DW_FORM_string, value: 'via indirect' }],
  ];
  const bases = (offsetSize: 4 | 8) =>
    [
      [F.DW_AT_str_offsets_base, F.DW_FORM_sec_offset, offsetSize === 8 ? 16 : 8],
      [F.DW_AT_addr_base, F.DW_FORM_sec_offset, 8],
    ] as const;
  const cBase = bases(4);

  for (const offsetSize of [4, 8] as const) {
    it(`walks or skips every form (${offsetSize === 4 ? 32 : 64}-bit DWARF)`, () => {
      const forms = allForms() as never[];
      const d = buildDwarf([
        {
          version: 5,
          offsetSize,
          root: {
            tag: F.DW_TAG_compile_unit,
            label: 'cu',
            attrs: [[F.DW_AT_producer, F.DW_FORM_strx1, 'GNU C17 12.2.0'], [F.DW_AT_language, F.DW_FORM_data1, 0x1d], [F.DW_AT_name, F.DW_FORM_line_strp, 'x.c'], ...bases(offsetSize)],
            children: [{ tag: 0x2e, attrs: forms }, { tag: F.DW_TAG_base_type, attrs: [[F.DW_AT_name, F.DW_FORM_strp, 'int'], [F.DW_AT_byte_size, F.DW_FORM_data1, 4]] }],
          },
        },
        {
          version: 5,
          offsetSize,
          root: {
            ...goTypesRoot('Go cmd/compile go1.25.0; regabi', [
              { tag: 0x2e, attrs: forms, children: [{ tag: F.DW_TAG_structure_type, attrs: forms }] },
              { tag: F.DW_TAG_structure_type, attrs: forms },
              {
                tag: F.DW_TAG_variable,
                attrs: [[F.DW_AT_name, F.DW_FORM_strx2, 'runtime.viaStrx'], [F.DW_AT_location, F.DW_FORM_exprloc, Uint8Array.of(F.DW_OP_addrx, 0)]],
              },
              { tag: F.DW_TAG_base_type, attrs: [[F.DW_AT_name, F.DW_FORM_strp, 'viaStrp'], [F.DW_AT_byte_size, F.DW_FORM_implicit_const, 8]] },
            ]),
            attrs: [...goTypesRoot('').attrs.slice(0, 2), [F.DW_AT_producer, F.DW_FORM_strx4, 'Go cmd/compile go1.25.0; regabi'], ...bases(offsetSize)],
          },
        },
      ]);
      const idx = parseDwarf(d);
      expect(idx.units.map((u) => [u.language, u.name, u.producer])).toEqual([
        [0x1d, 'x.c', 'GNU C17 12.2.0'],
        [F.DW_LANG_Go, 'runtime', 'Go cmd/compile go1.25.0; regabi'],
      ]);
      expect(idx.producer).toBe('Go cmd/compile go1.25.0; regabi');
      expect(idx.baseType('int')).toBeUndefined(); // C units are not indexed
      expect(fieldOffset(idx, 'runtime.g', 'sched.sp')).toBe(56);
      // .debug_addr index 0 is the first addrx value written (0x1000, by the C unit).
      expect(idx.variable('runtime.viaStrx')!.address).toBe(0x1000);
      expect(idx.baseType('viaStrp')!.size).toBe(8);
      // Full decode of the every-form entry.
      const e = idx.entryAt(d.labels.get('cu')! + 0).attrs;
      expect(e.get(F.DW_AT_producer)).toBe('GNU C17 12.2.0');
    });
  }

  it('decodes every form value', async () => {
    const { readEntry } = await import('../../../src/format/dwarf/entry.ts');
    const { parseUnitHeader } = await import('../../../src/format/dwarf/unit.ts');
    const { parseAbbrevTable } = await import('../../../src/format/dwarf/abbrev.ts');
    const d = buildDwarf([
      {
        version: 5,
        root: { tag: F.DW_TAG_compile_unit, label: 'cu', attrs: [...cBase], children: [{ tag: 0x2e, label: 'all', attrs: allForms() as never[] }] },
      },
    ]);
    const h = parseUnitHeader(d.info, 0);
    const unit = { header: h, abbrevs: parseAbbrevTable(d.abbrev, 0), strOffsetsBase: 8, addrBase: 8 };
    const e = readEntry(d, unit, d.labels.get('all')!)!;
    const cu = d.labels.get('cu')!;
    expect(Object.fromEntries(e.attrs)).toEqual({
      0x3a: 1,
      0x3b: 0x1234,
      0x3c: 0x12345678,
      0x3d: 0x123456789abcdefn,
      0x40: new Uint8Array(16).fill(7),
      0x41: -1234567,
      0x42: 1234567,
      0x43: -3,
      0x44: 'inline',
      0x45: 'in .debug_str',
      0x46: 'in .debug_line_str',
      0x47: 'strx',
      0x48: 'strx1',
      0x4a: 'strx2',
      0x4b: 'strx3',
      0x4c: 'strx4',
      0x4d: 0x1000,
      0x4e: 0x1001,
      0x4f: 0x1002,
      0x50: 0x1003,
      0x51: 0x1004,
      0x52: 0x401000,
      0x53: Uint8Array.of(1, 2, 3),
      0x54: Uint8Array.of(1, 2),
      0x55: Uint8Array.of(1),
      0x56: Uint8Array.of(9, 9, 9, 9),
      0x57: Uint8Array.of(0x9c),
      0x58: true,
      0x59: true,
      0x5a: 0x40,
      0x5b: 3,
      0x5c: 300,
      0x5d: { foreign: 0xfeedfacecafebeefn },
      0x5e: { ref: cu },
      0x5f: { ref: cu },
      0x60: { ref: cu },
      0x61: { ref: cu },
      0x62: { ref: cu },
      0x63: 99,
      0x64: 'via indirect',
    });
  });

  it('takes the unit bases from a unit DIE that uses no index form itself', () => {
    const d = buildDwarf([
      {
        version: 5,
        root: {
          ...goTypesRoot('Go cmd/compile go1.27.3', [
            { tag: F.DW_TAG_base_type, attrs: [[F.DW_AT_name, F.DW_FORM_strx1, 'viaStrx1'], [F.DW_AT_byte_size, F.DW_FORM_data1, 2]] },
          ]),
          attrs: [...goTypesRoot('').attrs, ...cBase],
        },
      },
    ]);
    // Shift the string table so that base 0 (the wrong default) would misread.
    expect(parseDwarf(d).baseType('viaStrx1')!.size).toBe(2);
  });

  it('skips type and skeleton unit headers', () => {
    const d = buildDwarf([
      { version: 5, unitType: F.DW_UT_type, root: { tag: 0x41, attrs: [[F.DW_AT_name, F.DW_FORM_string, 't']] } },
      { version: 5, unitType: F.DW_UT_skeleton, root: { tag: F.DW_TAG_compile_unit, attrs: [[F.DW_AT_name, F.DW_FORM_string, 's']] } },
      { version: 5, root: goTypesRoot('Go cmd/compile go1.27.3') },
    ]);
    const idx = parseDwarf(d);
    expect(idx.units.map((u) => [u.unitType, u.name])).toEqual([
      [F.DW_UT_type, 't'],
      [F.DW_UT_skeleton, 's'],
      [F.DW_UT_compile, 'runtime'],
    ]);
    expect(fieldOffset(idx, 'runtime.g', 'goid')).toBe(152);
  });
});

describe('parseDwarf errors', () => {
  const good = goDwarf(4);
  const rows: { name: string; mutate: (d: typeof good) => void; msg: RegExp }[] = [
    { name: 'unit_length past the end', mutate: (d) => (d.info[0] = 0xff), msg: /runs past the section end/ },
    { name: 'reserved unit_length', mutate: (d) => d.info.set([0xf0, 0xff, 0xff, 0xff], 0), msg: /reserved unit_length/ },
    { name: 'DWARF version 6', mutate: (d) => (d.info[4] = 6), msg: /unsupported DWARF version 6/ },
    { name: 'abbrev offset outside .debug_abbrev', mutate: (d) => (d.info[8] = 0x7f), msg: /outside the section/ },
    { name: 'address size 3', mutate: (d) => (d.info[10] = 3), msg: /address_size 3/ },
    { name: 'unknown abbrev code', mutate: (d) => (d.info[11] = 0x7e), msg: /unknown abbrev code 126/ },
    { name: 'unknown form', mutate: (d) => (d.abbrev[4] = 0x7d), msg: /unknown attribute form 0x7d/ },
  ];
  it.each(rows)('$name → FormatError', ({ mutate, msg }) => {
    const d = { ...good, info: good.info.slice(), abbrev: good.abbrev.slice() };
    mutate(d);
    expect(() => parseDwarf(d)).toThrow(FormatError);
    expect(() => parseDwarf(d)).toThrow(msg);
  });

  it('an empty .debug_info gives an empty index', () => {
    const idx = parseDwarf({ info: new Uint8Array(0), abbrev: new Uint8Array(0) });
    expect(idx.units).toEqual([]);
    expect(idx.producer).toBeUndefined();
    expect(idx.struct('runtime.g')).toBeUndefined();
  });

  it('type() at an offset outside every unit → FormatError', () => {
    const idx = parseDwarf(good);
    expect(() => idx.type(good.info.length + 10)).toThrow(FormatError);
    expect(() => idx.type(2)).toThrow(FormatError);
  });
});
