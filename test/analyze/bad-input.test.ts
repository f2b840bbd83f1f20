/**
 * Bad input, end to end through the real command: one clear `gospy: …` line (plus a hint), a
 * non-zero exit, never a stack trace, never a hang. Inputs are real sample cores damaged on purpose.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, listSampleBuilds, samplePath } from '../support/samples.ts';
import { buildCore, goExe, prstatusAmd64, prpsinfo, auxv, ntFile } from '../support/elf-builder.ts';
import { coreToSnapshot } from '../support/core-to-snapshot.ts';

const GOSPY = path.join(REPO, 'analyze', 'gospy.mjs');

function gospy(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [GOSPY, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** One error line and at most one hint line; no JavaScript stack frames. */
function expectCleanError(r: { code: number; err: string }, code: number, message: RegExp): void {
  expect(r.code, r.err).toBe(code);
  const lines = r.err.trimEnd().split('\n').filter((l) => !l.startsWith('gospy: warning:'));
  expect(lines[0]).toMatch(/^gospy: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length, r.err).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^hint: /);
  expect(r.err).not.toMatch(/^\s+at /m);
}

const build = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.27' && b.variant === 'static')!;
const other = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.19' && b.variant === 'static')!;
let dir = '';
let core = '';
let exe = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-bad-'));
  core = await samplePath(build, 'core');
  exe = await samplePath(build, 'exe');
});
// The cut and compressed copies of the core are ~140 MB: never leave them behind.
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

describe('bad input gets one clear line and a non-zero exit', () => {
  it('a file that is not ELF', () => {
    const p = path.join(dir, 'notes.txt');
    fs.writeFileSync(p, 'hello, this is not a core\n');
    expectCleanError(gospy('analyze', p, '--exe', exe), 1, /not an ELF core file/);
  });

  it('the executable given as the core', () => {
    expectCleanError(gospy('analyze', exe, '--exe', exe), 1, /not a core file/);
  });

  it('a core with the wrong executable', async () => {
    expectCleanError(gospy('analyze', core, '--exe', await samplePath(other, 'exe')), 1, /does not match the core/);
  });

  it('a missing file', () => {
    expectCleanError(gospy('analyze', path.join(dir, 'nope.core')), 1, /nope\.core/);
  });

  it('a program that is not Go', () => {
    const exePath = path.join(dir, 'cprog');
    const c = buildCore({
      threads: [prstatusAmd64(7, { rip: 0x401010, rsp: 0x7ffc0000, fs_base: 0x7ffd0000 })],
      prpsinfo: prpsinfo(7, 'cprog', exePath),
      auxv: auxv([[9, 0x401000]]),
      ntFile: ntFile(4096, [{ start: 0x400000, end: 0x402000, pageOffset: 0, path: exePath }]),
      loads: [{ vaddr: 0x400000, data: goExe({ buildId: 'c' }).subarray(0, 0x1000), memsz: 0x2000, flags: 5 }],
    });
    fs.writeFileSync(exePath, goExe({ buildId: 'c' }));
    const corePath = path.join(dir, 'core.cprog');
    fs.writeFileSync(corePath, c);
    expectCleanError(gospy('analyze', corePath, '--exe', exePath), 1, /not a Go program/);
  });

  it('a core cut short at many points: a report or a truncation message, never a crash', () => {
    const bytes = fs.readFileSync(core);
    for (const frac of [0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999]) {
      const p = path.join(dir, `cut-${frac}.core`);
      fs.writeFileSync(p, bytes.subarray(0, Math.floor(bytes.length * frac)));
      const r = gospy('analyze', p, '--exe', exe);
      expect([0, 1], `${frac}: ${r.err}`).toContain(r.code);
      expect(r.err, `${frac}`).not.toMatch(/internal error|^\s+at /m);
      if (r.code === 1) expect(r.err).toMatch(/^gospy: .*(truncated|cut short|ends|missing|not in any mapping)/m);
      else expect(r.err).toMatch(/truncated/);
    }
  });

  it('a gzip-compressed core is read directly and gives the same report', () => {
    const gz = path.join(dir, 'core.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(core)));
    const plain = gospy('analyze', core, '--exe', exe, '--report', 'stacks');
    const packed = gospy('analyze', gz, '--exe', exe, '--report', 'stacks');
    expect(plain.code).toBe(0);
    expect(packed.code).toBe(0);
    expect(packed.out).toBe(plain.out);
  });

  it('usage errors exit 2', () => {
    expectCleanError(gospy('analyze'), 2, /.+/);
    expectCleanError(gospy('analyze', core, '--report', 'nonsense'), 2, /.+/);
  });
});

// Issue 9 item 5 and the input defects: what a file is is decided in one place (src/memory/input-kind.ts).
describe('input kinds: one line that says what the file is and what gospy reads', () => {
  const arm64 = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.27' && b.arch === 'arm64' && b.variant === 'static')!;

  it('an empty file says "empty file"', () => {
    const p = path.join(dir, 'empty.core');
    fs.writeFileSync(p, '');
    expectCleanError(gospy('analyze', p, '--exe', exe), 1, /empty file/);
  });

  it('a text file: the line lists what gospy reads', () => {
    const p = path.join(dir, 'readme.txt');
    fs.writeFileSync(p, 'just some notes\n');
    expectCleanError(gospy('analyze', p), 1, /text file.*gospy reads ELF core files .*gospy snapshots .*xz, gzip or zstd/);
  });

  it("the runtime's own traceback text is recognised and refused as not read yet (exit 3)", () => {
    const p = path.join(build.dir, 'stack.txt');
    expectCleanError(gospy('analyze', p), 3, /is a Go traceback \(text\); gospy cannot read those yet/);
  });

  it('an executable for another architecture names both architectures', async () => {
    expectCleanError(gospy('analyze', core, '--exe', await samplePath(arm64, 'exe')), 1, /the executable .* is for AArch64, the core for x86-64/);
  });

  it('a compressed snapshot is read like the plain one (kind decided after decompression)', async () => {
    const gsz = path.join(dir, 'kinds.gsz');
    await coreToSnapshot(core, exe, gsz);
    const gz = path.join(dir, 'kinds.gsz.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(gsz)));
    const plain = gospy('analyze', gsz, '--report', 'stacks');
    const packed = gospy('analyze', gz, '--report', 'stacks');
    expect(plain.code, plain.err).toBe(0);
    expect(packed.code, packed.err).toBe(0);
    expect(packed.out).toBe(plain.out);
  });

  it('--exe with a snapshot: another executable is refused, the same one is "not needed"', async () => {
    const gsz = path.join(dir, 'exe-check.gsz');
    await coreToSnapshot(core, exe, gsz);
    expectCleanError(gospy('analyze', gsz, '--exe', '/bin/ls'), 1, /--exe \/bin\/ls is not the executable of snapshot/);
    expectCleanError(gospy('analyze', gsz, '--exe', await samplePath(other, 'exe')), 1, /is not the executable of snapshot .*build id/);
    const same = gospy('analyze', gsz, '--exe', exe);
    expect(same.code, same.err).toBe(0);
    expect(same.err).toMatch(/^gospy: warning: --exe .* is not needed: the snapshot carries its own copy/m);
  });
});

// Issue 9 defect: a compressed core cut short was refused ("unexpected end of file"); a raw one is read as far as it goes.
describe('a compressed core cut short is read like a raw core cut short', () => {
  it('gzip cut at 95%: a report, a warning that the stream was cut short and one that the core is truncated', () => {
    const gz = zlib.gzipSync(fs.readFileSync(core));
    const p = path.join(dir, 'cut.core.gz');
    fs.writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.95)));
    const r = gospy('analyze', p, '--exe', exe);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^gospy: warning: .*cut\.core\.gz is cut short: its gzip stream ends early; reading the \d+ bytes that decompress$/m);
    expect(r.err).toMatch(/^gospy: warning: core .*cut\.core\.gz is truncated/m);
    expect(r.out).toMatch(/^goroutines:/m);
  });

  it('gzip cut at 30%: the truncation error says the compressed file ends early', () => {
    const gz = zlib.gzipSync(fs.readFileSync(core));
    const p = path.join(dir, 'cut30.core.gz');
    fs.writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.3)));
    const r = gospy('analyze', p, '--exe', exe);
    expectCleanError(r, 1, /the core is truncated .* and lacks/);
    expect(r.err).toMatch(/^hint: the compressed file ends early/m);
  });
});

// Issue 9 defect: GOSPY_CACHE unwritable or a plain file exited 70 ("internal error").
describe('an unusable GOSPY_CACHE is one line naming the variable (exit 1)', () => {
  const compressed = path.join(build.dir, 'core.xz');
  const withCache = (cache: string): { code: number; out: string; err: string } => {
    const r = spawnSync(process.execPath, [GOSPY, 'analyze', compressed, '--exe', exe], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, GOSPY_CACHE: cache },
    });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };

  it('GOSPY_CACHE is a plain file', () => {
    const file = path.join(dir, 'cache-is-a-file');
    fs.writeFileSync(file, 'x');
    const r = withCache(file);
    expectCleanError(r, 1, /cannot use the decompression cache GOSPY_CACHE=.*cache-is-a-file: .*not a directory/);
    expect(r.err).toMatch(/^hint: point GOSPY_CACHE at a writable directory/m);
  });

  it('GOSPY_CACHE where no directory can be written (sysfs refuses even root)', () => {
    expectCleanError(withCache('/sys/gospy-cache-test'), 1, /cannot use the decompression cache GOSPY_CACHE=\/sys\/gospy-cache-test: .*permission denied/);
  });

  it('GOSPY_CACHE under /proc fails at once (Node\'s recursive mkdir would spin there)', () => {
    expectCleanError(withCache('/proc/gospy-cache-test'), 1, /cannot use the decompression cache GOSPY_CACHE=\/proc\/gospy-cache-test/);
  });
});
