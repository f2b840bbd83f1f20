import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../src/base/errors.ts';
import {
  AMD64_REG_NAMES,
  ARM64_REG_NAMES,
  parseAuxv,
  parseNtFile,
  parsePrPsInfo,
  parsePrStatus,
  parseSigInfo,
} from '../../../src/format/elf/core-notes.ts';
import { Bytes, auxv, ntFile, prpsinfo, prstatusAmd64, prstatusArm64, siginfo } from '../../support/elf-builder.ts';

describe('NT_PRSTATUS', () => {
  it('amd64', () => {
    const s = parsePrStatus(prstatusAmd64(1234, { rip: 0x401000, rsp: 0xc000010000, rbp: 0xc000010100, r14: 0xc000000180, fs_base: 0x7f0000001000 }, 6), 'amd64');
    expect(s).toMatchObject({ tid: 1234, cursig: 6, signo: 6 });
    expect(s.regs).toMatchObject({ pc: 0x401000, sp: 0xc000010000, bp: 0xc000010100, gReg: 0xc000000180, fsBase: 0x7f0000001000, lr: undefined });
    expect(s.regs.raw).toHaveLength(27);
    expect(s.regs.names).toBe(AMD64_REG_NAMES);
    expect(s.regs.raw[AMD64_REG_NAMES.indexOf('rip')]).toBe(0x401000n);
  });

  it('arm64', () => {
    const s = parsePrStatus(prstatusArm64(77, { 28: 0xc000000180, 29: 0xc000050000, 30: 0x10002000, 31: 0xc00004ff00, 32: 0x10001000 }), 'arm64');
    expect(s.tid).toBe(77);
    expect(s.regs).toMatchObject({ pc: 0x10001000, sp: 0xc00004ff00, bp: 0xc000050000, lr: 0x10002000, gReg: 0xc000000180, fsBase: undefined });
    expect(s.regs.raw).toHaveLength(34);
    expect(s.regs.names).toBe(ARM64_REG_NAMES);
  });

  it('register above 2^53 is NaN in the record, exact in raw', () => {
    const s = parsePrStatus(prstatusAmd64(1, { rip: 0xffffffffff600000n }), 'amd64');
    expect(s.regs.pc).toBeNaN();
    expect(s.regs.raw[16]).toBe(0xffffffffff600000n);
  });

  it.each([
    ['amd64', 335],
    ['arm64', 391],
  ] as const)('%s short desc (%d bytes) is a FormatError', (arch, n) => {
    expect(() => parsePrStatus(new Uint8Array(n), arch)).toThrow(FormatError);
  });
});

describe('NT_PRPSINFO', () => {
  it('decodes', () => {
    expect(parsePrPsInfo(prpsinfo(42, 'states', './states -x 1', 'S'))).toMatchObject({
      pid: 42, fname: 'states', psargs: './states -x 1', sname: 'S',
    });
  });
  it('short', () => expect(() => parsePrPsInfo(new Uint8Array(100))).toThrow(FormatError));
});

describe('NT_FILE', () => {
  it('decodes, with file offsets in bytes', () => {
    const f = parseNtFile(ntFile(4096, [
      { start: 0x400000, end: 0x4ac000, pageOffset: 0, path: '/tmp/x/prog' },
      { start: 0x4ac000, end: 0x591000, pageOffset: 0xac, path: '/tmp/x/prog' },
      { start: 0x7f00, end: 0x8f00, pageOffset: 3, path: '/lib/libc.so.6 (deleted)' },
    ]));
    expect(f.pageSize).toBe(4096);
    expect(f.entries).toEqual([
      { start: 0x400000, end: 0x4ac000, fileOffsetBytes: 0, path: '/tmp/x/prog' },
      { start: 0x4ac000, end: 0x591000, fileOffsetBytes: 0xac000, path: '/tmp/x/prog' },
      { start: 0x7f00, end: 0x8f00, fileOffsetBytes: 3 * 4096, path: '/lib/libc.so.6 (deleted)' },
    ]);
  });
  it.each([
    ['hostile count', new Bytes().u64(2 ** 40).u64(4096).zeros(64).done(), /count/],
    ['count above 2^53', new Bytes().u64(2n ** 63n).u64(4096).zeros(64).done(), /count/],
    ['missing path terminator', new Bytes().u64(1).u64(4096).u64(1).u64(2).u64(0).u8(0x41).done(), /unterminated|count/],
    ['cut header', new Uint8Array(10), /end of data/],
  ])('%s → FormatError', (_n, b, msg) => {
    expect(() => parseNtFile(b)).toThrow(FormatError);
    expect(() => parseNtFile(b)).toThrow(msg);
  });
});

describe('NT_AUXV and NT_SIGINFO', () => {
  it('auxv up to AT_NULL', () => {
    const m = parseAuxv(auxv([[9, 0x401000], [33, 0x7ffd000], [6, 4096]]));
    expect([...m]).toEqual([[9, 0x401000], [33, 0x7ffd000], [6, 4096]]);
  });
  it('auxv with a ragged tail', () => {
    expect(parseAuxv(new Bytes().u64(9).u64(1).u64(3).done()).get(9)).toBe(1);
  });
  it('siginfo', () => {
    expect(parseSigInfo(siginfo(11, 1, 0))).toMatchObject({ signo: 11, code: 1, errno: 0 });
    expect(() => parseSigInfo(new Uint8Array(4))).toThrow(FormatError);
  });
});
