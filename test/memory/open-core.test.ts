import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FormatError, MismatchError, MissingInputError } from '../../src/base/errors.ts';
import { openCore } from '../../src/memory/open-core.ts';
import { auxv, buildCore, goExe, ntFile, prpsinfo, prstatusAmd64 } from '../support/elf-builder.ts';

let dir = '';
const saved = process.env['GOSPY_CACHE'];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-open-core-'));
  process.env['GOSPY_CACHE'] = path.join(dir, 'cache');
});
afterAll(() => {
  if (saved === undefined) delete process.env['GOSPY_CACHE'];
  else process.env['GOSPY_CACHE'] = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Write exe (at exeAt) and a core recording `recorded` as its path into a fresh subdirectory. */
function scene(name: string, o: { recorded: string; exeAt?: string; ntFile?: boolean; buildId?: string }) {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { recursive: true });
  const exe = goExe({ buildId: 'good' });
  const inCore = goExe({ buildId: o.buildId ?? 'good' });
  const core = buildCore({
    threads: [prstatusAmd64(7, { rip: 0x401000, rsp: 0xc000000100, fs_base: 0xc000000200 })],
    prpsinfo: prpsinfo(7, path.basename(o.recorded), 'prog'),
    auxv: auxv([[9, 0x401000]]),
    ...(o.ntFile === false ? {} : { ntFile: ntFile(4096, [{ start: 0x400000, end: 0x402000, pageOffset: 0, path: o.recorded }]) }),
    loads: [{ vaddr: 0x400000, data: inCore.subarray(0, 0x1000), memsz: 0x2000 }, { vaddr: 0xc000000000, data: new Uint8Array(0x1000) }],
  });
  const corePath = path.join(sub, 'core');
  fs.writeFileSync(corePath, core);
  const exeAt = o.exeAt === undefined ? undefined : o.exeAt.startsWith('/') ? o.exeAt : path.join(sub, o.exeAt);
  if (exeAt) {
    fs.mkdirSync(path.dirname(exeAt), { recursive: true });
    fs.writeFileSync(exeAt, exe);
  }
  return { sub, corePath, exe, core };
}

describe('openCore: finding the executable', () => {
  it('NT_FILE recorded absolute path', async () => {
    const rec = path.join(dir, 'built', 'prog');
    const { corePath } = scene('ntfile', { recorded: rec, exeAt: rec });
    const p = await openCore(corePath);
    try {
      expect(p.exeFoundBy).toBe('nt_file');
      expect(p.exePath).toBe(rec);
      expect(p.threads[0]!.tid).toBe(7);
    } finally {
      p.close();
    }
  });

  it('same basename beside the core', async () => {
    const { corePath, sub } = scene('beside', { recorded: '/nonexistent/dir/myprog', exeAt: 'myprog' });
    const p = await openCore(corePath);
    expect(p.exeFoundBy).toBe('beside-core');
    expect(p.exePath).toBe(path.join(sub, 'myprog'));
    p.close();
  });

  it('PRPSINFO fname beside the core when there is no NT_FILE', async () => {
    const { corePath } = scene('prpsinfo', { recorded: '/x/fnameprog', exeAt: 'fnameprog', ntFile: false });
    const p = await openCore(corePath);
    expect(p.exeFoundBy).toBe('prpsinfo');
    p.close();
  });

  it('explicit --exe, gzip-compressed core', async () => {
    const { sub, core } = scene('arg', { recorded: '/nonexistent/prog', exeAt: 'some-exe' });
    const gz = path.join(sub, 'core.gz');
    fs.writeFileSync(gz, gzipSync(core));
    const p = await openCore(gz, { exePath: path.join(sub, 'some-exe') });
    expect(p.exeFoundBy).toBe('argument');
    expect(p.coreDecompressedFrom).toBe('gzip');
    p.close();
  });

  it('not found → MissingInputError "cannot find the executable", hint --exe', async () => {
    const { corePath } = scene('none', { recorded: '/nonexistent/ghost' });
    const err = await openCore(corePath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingInputError);
    expect((err as MissingInputError).message).toMatch(/cannot find the executable \/nonexistent\/ghost/);
    expect((err as MissingInputError).hint).toBe('pass --exe PATH');
  });

  it('auto-found executable with another build id → MismatchError', async () => {
    const rec = path.join(dir, 'built2', 'prog');
    const { corePath } = scene('mismatch', { recorded: rec, exeAt: rec, buildId: 'rebuilt' });
    await expect(openCore(corePath)).rejects.toThrow(MismatchError);
  });

  it('executable given as the core → FormatError with hint', async () => {
    const { sub } = scene('swap', { recorded: '/n/p', exeAt: 'p' });
    const err = await openCore(path.join(sub, 'p')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).hint).toMatch(/executable, not a core/);
  });
});
