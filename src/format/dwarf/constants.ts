/**
 * DWARF constants gospy uses, named as in the DWARF 5 standard (§7.5–7.7, Figures 18–26) and Go's
 * own extensions from golang/go:src/cmd/internal/dwarf/dwarf_defs.go and dwarf.go (DW_AT_go_*).
 * Only the values the index and walker need are listed; everything else is carried as a number.
 */

// Tags (DWARF 5 §7.5.3, Table 7.3).
export const DW_TAG_array_type = 0x01;
export const DW_TAG_member = 0x0d;
export const DW_TAG_pointer_type = 0x0f;
export const DW_TAG_compile_unit = 0x11;
export const DW_TAG_structure_type = 0x13;
export const DW_TAG_subroutine_type = 0x15;
export const DW_TAG_typedef = 0x16;
export const DW_TAG_subrange_type = 0x21;
export const DW_TAG_base_type = 0x24;
export const DW_TAG_constant = 0x27;
export const DW_TAG_variable = 0x34;
export const DW_TAG_partial_unit = 0x3c;

// Attributes (Table 7.5) and Go's extensions (cmd/internal/dwarf/dwarf.go).
export const DW_AT_sibling = 0x01;
export const DW_AT_location = 0x02;
export const DW_AT_name = 0x03;
export const DW_AT_byte_size = 0x0b;
export const DW_AT_language = 0x13;
export const DW_AT_const_value = 0x1c;
export const DW_AT_upper_bound = 0x2f;
export const DW_AT_producer = 0x25;
export const DW_AT_count = 0x37;
export const DW_AT_data_member_location = 0x38;
export const DW_AT_encoding = 0x3e;
export const DW_AT_type = 0x49;
export const DW_AT_str_offsets_base = 0x72;
export const DW_AT_addr_base = 0x73;
export const DW_AT_go_kind = 0x2900;
export const DW_AT_go_key = 0x2901;
export const DW_AT_go_elem = 0x2902;
export const DW_AT_go_embedded_field = 0x2903;
export const DW_AT_go_runtime_type = 0x2904;
export const DW_AT_go_package_name = 0x2905;

// Forms (Table 7.6) plus the GNU extensions gcc may emit.
export const DW_FORM_addr = 0x01;
export const DW_FORM_block2 = 0x03;
export const DW_FORM_block4 = 0x04;
export const DW_FORM_data2 = 0x05;
export const DW_FORM_data4 = 0x06;
export const DW_FORM_data8 = 0x07;
export const DW_FORM_string = 0x08;
export const DW_FORM_block = 0x09;
export const DW_FORM_block1 = 0x0a;
export const DW_FORM_data1 = 0x0b;
export const DW_FORM_flag = 0x0c;
export const DW_FORM_sdata = 0x0d;
export const DW_FORM_strp = 0x0e;
export const DW_FORM_udata = 0x0f;
export const DW_FORM_ref_addr = 0x10;
export const DW_FORM_ref1 = 0x11;
export const DW_FORM_ref2 = 0x12;
export const DW_FORM_ref4 = 0x13;
export const DW_FORM_ref8 = 0x14;
export const DW_FORM_ref_udata = 0x15;
export const DW_FORM_indirect = 0x16;
export const DW_FORM_sec_offset = 0x17;
export const DW_FORM_exprloc = 0x18;
export const DW_FORM_flag_present = 0x19;
export const DW_FORM_strx = 0x1a;
export const DW_FORM_addrx = 0x1b;
export const DW_FORM_ref_sup4 = 0x1c;
export const DW_FORM_strp_sup = 0x1d;
export const DW_FORM_data16 = 0x1e;
export const DW_FORM_line_strp = 0x1f;
export const DW_FORM_ref_sig8 = 0x20;
export const DW_FORM_implicit_const = 0x21;
export const DW_FORM_loclistx = 0x22;
export const DW_FORM_rnglistx = 0x23;
export const DW_FORM_ref_sup8 = 0x24;
export const DW_FORM_strx1 = 0x25;
export const DW_FORM_strx2 = 0x26;
export const DW_FORM_strx3 = 0x27;
export const DW_FORM_strx4 = 0x28;
export const DW_FORM_addrx1 = 0x29;
export const DW_FORM_addrx2 = 0x2a;
export const DW_FORM_addrx3 = 0x2b;
export const DW_FORM_addrx4 = 0x2c;
export const DW_FORM_GNU_addr_index = 0x1f01;
export const DW_FORM_GNU_str_index = 0x1f02;
export const DW_FORM_GNU_ref_alt = 0x1f20;
export const DW_FORM_GNU_strp_alt = 0x1f21;

// Unit types (Table 7.2).
export const DW_UT_compile = 0x01;
export const DW_UT_type = 0x02;
export const DW_UT_partial = 0x03;
export const DW_UT_skeleton = 0x04;
export const DW_UT_split_compile = 0x05;
export const DW_UT_split_type = 0x06;

export const DW_LANG_Go = 0x16;

// Location operations (Table 7.9) used for global variables.
export const DW_OP_addr = 0x03;
export const DW_OP_addrx = 0xa1;
export const DW_OP_GNU_addr_index = 0xfb;

/** Go's reflect.Kind values carried in DW_AT_go_kind (runtime/typekind.go). */
export const GO_KIND_SLICE = 23;
export const GO_KIND_STRING = 24;
export const GO_KIND_STRUCT = 25;
