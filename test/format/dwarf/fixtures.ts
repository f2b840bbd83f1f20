/** Synthetic Go-shaped DWARF used by the dwarf tests (mirrors what cmd/link emits, in miniature). */
import * as F from '../../../src/format/dwarf/constants.ts';
import { buildDwarf, opAddr, type Die, type UnitSpec } from '../../support/dwarf-builder.ts';

const name = (s: string) => [F.DW_AT_name, F.DW_FORM_string, s] as const;
const size = (n: number) => [F.DW_AT_byte_size, F.DW_FORM_udata, n] as const;
const type = (label: string) => [F.DW_AT_type, F.DW_FORM_ref_addr, { ref: label }] as const;
const kind = (k: number) => [F.DW_AT_go_kind, F.DW_FORM_data1, k] as const;
const member = (n: string, off: number, t: string, embedded = false): Die => ({
  tag: F.DW_TAG_member,
  attrs: [
    name(n),
    [F.DW_AT_data_member_location, F.DW_FORM_udata, off],
    type(t),
    [F.DW_AT_go_embedded_field, F.DW_FORM_flag, embedded],
  ],
});
const base = (n: string, bytes: number, label: string): Die => ({
  tag: F.DW_TAG_base_type,
  label,
  attrs: [name(n), [F.DW_AT_encoding, F.DW_FORM_data1, 7], size(bytes), kind(7)],
});

/** The types unit: runtime.g with nested gobuf/stack and an atomic.Uint32 status. */
export function goTypesRoot(producer: string, extra: Die[] = []): Die {
  return {
    tag: F.DW_TAG_compile_unit,
    attrs: [
      name('runtime'),
      [F.DW_AT_language, F.DW_FORM_data1, F.DW_LANG_Go],
      [F.DW_AT_producer, F.DW_FORM_string, producer],
    ],
    children: [
      ...extra,
      base('uintptr', 8, 'uintptr'),
      base('uint32', 4, 'uint32'),
      base('int64', 8, 'int64'),
      base('uint8', 1, 'uint8'),
      {
        tag: F.DW_TAG_structure_type,
        label: 'stack',
        attrs: [name('runtime.stack'), size(16), kind(25)],
        children: [member('lo', 0, 'uintptr'), member('hi', 8, 'uintptr')],
      },
      {
        tag: F.DW_TAG_structure_type,
        label: 'gobuf',
        attrs: [name('runtime.gobuf'), size(56), kind(25)],
        children: [member('sp', 0, 'uintptr'), member('pc', 8, 'uintptr'), member('bp', 48, 'uintptr')],
      },
      {
        tag: F.DW_TAG_structure_type,
        label: 'noCopy',
        attrs: [name('internal/runtime/atomic.noCopy'), size(0), kind(25)],
      },
      {
        tag: F.DW_TAG_structure_type,
        label: 'Uint32s',
        attrs: [name('internal/runtime/atomic.Uint32'), size(4), kind(25)],
        children: [member('noCopy', 0, 'noCopy', true), member('value', 0, 'uint32')],
      },
      { tag: F.DW_TAG_typedef, label: 'Uint32', attrs: [name('internal/runtime/atomic.Uint32'), type('Uint32s')] },
      {
        tag: F.DW_TAG_structure_type,
        label: 'g',
        attrs: [name('runtime.g'), size(456), kind(25), [F.DW_AT_go_runtime_type, F.DW_FORM_addr, 0x4a0000]],
        children: [
          member('stack', 0, 'stack'),
          member('sched', 56, 'gobuf'),
          member('atomicstatus', 144, 'Uint32'),
          member('goid', 152, 'uint64t'),
          member('waitreason', 176, 'uint8'),
        ],
      },
      { tag: F.DW_TAG_typedef, label: 'gtd', attrs: [name('runtime.g'), type('g')] },
      { tag: F.DW_TAG_pointer_type, label: 'pg', attrs: [name('*runtime.g'), type('gtd')] },
      base('uint64', 8, 'uint64t'),
      {
        tag: F.DW_TAG_structure_type,
        label: 'slice',
        attrs: [name('[]*runtime.g'), size(24), kind(23), [F.DW_AT_go_elem, F.DW_FORM_ref_addr, { ref: 'pg' }]],
        children: [member('array', 0, 'ppg'), member('len', 8, 'uintptr'), member('cap', 16, 'uintptr')],
      },
      { tag: F.DW_TAG_pointer_type, label: 'ppg', attrs: [name('**runtime.g'), type('pg')] },
      {
        tag: F.DW_TAG_structure_type,
        label: 'string',
        attrs: [name('string'), size(16), kind(24)],
        children: [member('str', 0, 'uintptr'), member('len', 8, 'uintptr')],
      },
      {
        tag: F.DW_TAG_array_type,
        label: 'arr',
        attrs: [name('[4]uint32'), type('uint32'), size(16), kind(17)],
        children: [{ tag: F.DW_TAG_subrange_type, attrs: [type('uintptr'), [F.DW_AT_count, F.DW_FORM_udata, 4]] }],
      },
      {
        tag: F.DW_TAG_variable,
        attrs: [name('runtime.allgs'), [F.DW_AT_location, F.DW_FORM_block1, opAddr(0x520940)], type('slice'), [0x3f, F.DW_FORM_flag, true]],
      },
      {
        tag: F.DW_TAG_variable,
        attrs: [name('runtime.buildVersion'), [F.DW_AT_location, F.DW_FORM_block1, opAddr(0x51c6d0)], type('string')],
      },
      { tag: F.DW_TAG_constant, attrs: [name('runtime._Grunning'), type('uint32'), [F.DW_AT_const_value, F.DW_FORM_sdata, 2]] },
      { tag: F.DW_TAG_constant, attrs: [name('runtime._Gscan'), type('uint32'), [F.DW_AT_const_value, F.DW_FORM_sdata, 0x1000]] },
      { tag: F.DW_TAG_constant, attrs: [name('runtime.negative'), type('int64'), [F.DW_AT_const_value, F.DW_FORM_sdata, -5]] },
      {
        tag: F.DW_TAG_constant,
        attrs: [name('math.MaxUint64'), type('uint64t'), [F.DW_AT_const_value, F.DW_FORM_udata, 0xffffffffffffffffn]],
      },
      {
        tag: 0x2e, // DW_TAG_subprogram with a nested variable that must not be indexed
        attrs: [name('main.main'), [0x11, F.DW_FORM_addr, 0x401000], [0x12, F.DW_FORM_addr, 0x401100]],
        children: [
          {
            tag: F.DW_TAG_variable,
            attrs: [name('runtime.allgs'), [F.DW_AT_location, F.DW_FORM_block1, opAddr(0xdead)], type('slice')],
          },
        ],
      },
    ],
  };
}

/** A Go unit in the given DWARF flavour. */
export function goDwarf(version: 4 | 5, offsetSize: 4 | 8 = 4, producer = 'Go cmd/compile go1.27.3; regabi') {
  const units: UnitSpec[] = [{ version, offsetSize, root: goTypesRoot(producer) }];
  return buildDwarf(units);
}
