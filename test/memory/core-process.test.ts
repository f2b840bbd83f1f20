import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/base/bytes.ts';
import { FormatError, GospyError, MismatchError, MissingInputError, UnsupportedError } from '../../src/base/errors.ts';
import { ElfFile } from '../../src/format/elf/file.ts';
import { openCoreProcess } from '../../src/memory/core-process.ts';
import { auxv, buildCore, buildElf, concat, goExe, note, ntFile, prpsinfo, prstatusAmd64, prstatusArm64, siginfo } from '../support/elf-builder.ts';

const EXE_PATH = '/build/prog';

/** A static "Go" exe at 0x400000 and a kernel-style core of it (first exe page dumped, heap, bss). */
function fixture(opts: { coreBuildId?: string; pie?: boolean } = {}) {
  const pie = opts.pie === true;
  const base = pie ? 0x555500000000 : 0x400000;
  const exe = goExe(pie ? { buildId: 'good', base: 0, type: 3, entry: 0x1000 } : { buildId: 'good' });
  const coreExe = opts.coreBuildId ? goExe(pie ? { buildId: opts.coreBuildId, base: 0, type: 3, entry: 0x1000 } : { buildId: opts.coreBuildId }) : exe;
  const heap = Uint8Array.from({ length: 0x2000 }, (_, i) => (i * 7) & 0xff);
  const core = buildCore({
    threads: [
      prstatusAmd64(101, { rip: base + 0x1010, rsp: 0xc000001000, fs_base: 0xc000002000, r14: 0xc000000100 }, 6),
      prstatusAmd64(102, { rip: base + 0x1020, rsp: 0xc000001800, fs_base: 0xc000003000 }),
    ],
    prpsinfo: prpsinfo(101, 'prog', `${EXE_PATH} -flag`),
    siginfo: siginfo(6, -6),
    auxv: auxv([[6, 4096], [9, base + 0x1000], [33, 0x7ffff7fc1000]]),
    ntFile: ntFile(4096, [{ start: base, end: base + 0x2000, pageOffset: 0, path: EXE_PATH }]),
    loads: [
      // First page of the exe mapping (with its ELF header and notes), like the kernel writes.
      { vaddr: base, data: coreExe.subarray(0, 0x1000), memsz: 0x2000, flags: 5 },
      { vaddr: base + 0x2000, filesz: 0, memsz: 0x1000, flags: 6, data: new Uint8Array(0) },
      { vaddr: 0xc000000000, data: heap, flags: 6 },
      { vaddr: 0xc000100000, filesz: 0, memsz: 0x100000, flags: 0, data: new Uint8Array(0) },
      { vaddr: 0xffffffffff600000n, data: new Uint8Array(0x10), flags: 1 },
    ],
  });
  return { exe, core, heap, base };
}

const open = (core: Uint8Array, exe: Uint8Array | undefined) =>
  openCoreProcess(new BufferSource(core, 'core.test'), exe ? { source: new BufferSource(exe, EXE_PATH), path: EXE_PATH } : undefined);

describe('openCoreProcess (synthetic)', () => {
  it('static exe: threads, notes, layered memory, build id checked', () => {
    const { exe, core, heap } = fixture();
    const p = open(core, exe);
    expect(p.machine).toBe('amd64');
    expect(p.exeFoundBy).toBe('argument');
    expect(p.loadBias).toBe(0);
    expect(p.threads.map((t) => [t.tid, t.signal, t.regs.pc, t.regs.fsBase])).toEqual([
      [101, 6, 0x401010, 0xc000002000],
      [102, 0, 0x401020, 0xc000003000],
    ]);
    expect(p.threads[0]!.regs.gReg).toBe(0xc000000100);
    expect(p.prpsinfo).toMatchObject({ pid: 101, fname: 'prog' });
    expect(p.siginfo).toMatchObject({ signo: 6, code: -6 });
    expect(p.auxv.get(9)).toBe(0x401000);
    expect(p.files).toEqual([{ start: 0x400000, end: 0x402000, fileOffsetBytes: 0, path: EXE_PATH }]);
    expect(p.truncated).toBeUndefined();
    // Text comes from the exe (the core has only the first page), heap from the core.
    expect(Array.from(p.image.read(0x401010, 4))).toEqual([0x10, 0x11, 0x12, 0x13]);
    expect(Array.from(p.image.read(0xc000000010, 3))).toEqual(Array.from(heap.subarray(0x10, 0x13)));
    // exe memsz beyond filesz: zero-filled .bss.
    expect(p.image.readU64(0x402008)).toBe(0);
    // filesz-0 core PT_LOADs add nothing.
    expect(p.image.isMapped(0xc000100000)).toBe(false);
    expect(p.warnings).toEqual([]); // the [vsyscall] page above 2^53 is skipped without a warning
  });

  it('PIE: load bias from AT_ENTRY', () => {
    const { exe, core, base } = fixture({ pie: true });
    const p = open(core, exe);
    expect(p.loadBias).toBe(base);
    expect(Array.from(p.image.read(base + 0x1010, 2))).toEqual([0x10, 0x11]);
    expect(p.warnings.map((w) => w.kind)).not.toContain('build-id-unchecked');
  });

  it('mismatched executable → MismatchError naming both build ids', () => {
    const { exe, core } = fixture({ coreBuildId: 'other' });
    expect(() => open(core, exe)).toThrow(MismatchError);
    expect(() => open(core, exe)).toThrow(/the core's program has .*build id other, the file has .*build id good/);
  });

  it('core without the exe header page → build-id-unchecked warning', () => {
    const { exe } = fixture();
    const core = buildCore({
      threads: [prstatusAmd64(1, { rip: 0x401000 })],
      auxv: auxv([[9, 0x401000]]),
      loads: [{ vaddr: 0xc000000000, data: new Uint8Array(16) }],
    });
    expect(open(core, exe).warnings.map((w) => w.kind)).toContain('build-id-unchecked');
  });

  it('no executable → MissingInputError with --exe hint', () => {
    const { core } = fixture();
    let err: unknown;
    try {
      open(core, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingInputError);
    expect((err as MissingInputError).message).toMatch(/cannot find the executable \(\/build\/prog\)/);
    expect((err as MissingInputError).hint).toBe('pass --exe PATH');
  });

  it('an executable given as the core → FormatError with a hint', () => {
    const { exe } = fixture();
    let err: unknown;
    try {
      open(exe, exe);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/not a core file \(e_type ET_EXEC\)/);
    expect((err as FormatError).hint).toMatch(/this is an executable, not a core/);
  });

  it('arm64: registers from user_pt_regs, TLS from NT_ARM_TLS, machine from the core', () => {
    const exe = goExe({ buildId: 'a64', machine: 183 });
    const core = buildElf({
      type: 4,
      machine: 183,
      segments: [
        {
          type: 4,
          vaddr: 0,
          align: 4,
          data: concat(
            note('CORE', 1, prstatusArm64(9, { 28: 0xc000000180, 29: 0xc000050000, 30: 0x401100, 31: 0xc00004ff00, 32: 0x401010 })),
            note('LINUX', 0x401, new Uint8Array([0, 0x10, 0, 0, 0x7f, 0, 0, 0])),
            note('CORE', 6, auxv([[9, 0x401000]])),
          ),
        },
        { vaddr: 0x400000, data: exe.subarray(0, 0x1000), memsz: 0x2000 },
        { vaddr: 0xc000000000, data: new Uint8Array(0x100000) },
      ],
    });
    const p = open(core, exe);
    expect(p.machine).toBe('arm64');
    expect(p.threads).toHaveLength(1);
    expect(p.threads[0]).toMatchObject({ tid: 9, tls: 0x7f00001000 });
    expect(p.threads[0]!.regs).toMatchObject({ pc: 0x401010, sp: 0xc00004ff00, lr: 0x401100, bp: 0xc000050000, gReg: 0xc000000180 });
    expect(p.warnings.map((w) => w.kind)).not.toContain('build-id-unchecked');
  });

  it('unknown machine → UnsupportedError', () => {
    const core = buildCore({ machine: 40, threads: [], loads: [] });
    expect(() => open(core, fixture().exe)).toThrow(UnsupportedError);
  });

  it('truncated core: keeps what is there, reports missing bytes', () => {
    const { exe, core } = fixture();
    const heapOff = ElfFile.parse(new BufferSource(core, 'c')).progs[3]!.offset;
    const cut = core.subarray(0, heapOff + 0x100);
    const p = open(cut, exe);
    expect(p.truncated).toEqual({ missingBytes: 0x2000 - 0x100 + 0x10, segments: 2 });
    const w = p.warnings.find((x) => x.kind === 'core-truncated');
    expect(w?.message).toMatch(/ulimit -c/);
    expect(w?.message).toMatch(/coredump_filter/);
    expect(p.image.isMapped(0xc0000000ff)).toBe(true);
    expect(p.image.isMapped(0xc000000100)).toBe(false);
    expect(p.threads).toHaveLength(2);
  });

  it('truncated at many points: a result or a GospyError, never a crash', () => {
    const { exe, core } = fixture();
    for (let cut = 0; cut <= core.length; cut += 61) {
      try {
        const p = open(core.subarray(0, cut), exe);
        expect(p.machine).toBe('amd64');
      } catch (e) {
        expect(e, `cut at ${cut}: ${String(e)}`).toBeInstanceOf(GospyError);
      }
    }
  });
});
