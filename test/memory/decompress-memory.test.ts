/**
 * Decompression streams with bounded memory (issue 9 defect: a 633 KB gcore.xz of a 1.26 GB core
 * peaked at 2.29 GB resident because the xz path collected the whole output). A child process
 * decompresses 512 MiB of xz (64 concatenated streams of 8 MiB of zeros: an xz that expands as
 * much as a real gcore.xz does) and reports its peak resident size, the kernel's VmHWM.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/samples.ts';

const OUT_BYTES = 512 << 20;
let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-decompress-memory-'));
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

/** Peak resident MiB of a fresh process that opens `input` with openInput, and the size it read. */
function peakResidentOpening(input: string): { peakMiB: number; size: number } {
  const script = `
    import * as fs from 'node:fs';
    const { openInput } = await import(${JSON.stringify(path.join(REPO, 'src', 'memory', 'open-input.ts'))});
    const r = await openInput(${JSON.stringify(input)});
    const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
    console.log(JSON.stringify({ peakMiB: hwm / 1024, size: r.source.size }));
    r.source.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, GOSPY_CACHE: path.join(dir, 'cache') },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { peakMiB: number; size: number };
}

/** 512 MiB of zeros as `n` concatenated compressed streams of `OUT_BYTES / n` each. */
function concatenated(name: string, compress: (b: Uint8Array) => Uint8Array, n: number): string {
  const one = compress(new Uint8Array(OUT_BYTES / n));
  const p = path.join(dir, name);
  const fd = fs.openSync(p, 'w');
  for (let i = 0; i < n; i++) fs.writeSync(fd, one);
  fs.closeSync(fd);
  return p;
}

describe('decompression memory is bounded, not proportional to the output', () => {
  it.each([
    ['xz', (b: Uint8Array) => xz.compressSync(b)],
    ['gzip', (b: Uint8Array) => zlib.gzipSync(b)],
  ] as const)('%s: 512 MiB out, peak resident under 256 MiB', (kind, compress) => {
    const input = concatenated(`zeros.${kind}`, compress, 64);
    const r = peakResidentOpening(input);
    expect(r.size).toBe(OUT_BYTES);
    expect(r.peakMiB, `peak resident ${r.peakMiB.toFixed(0)} MiB`).toBeLessThan(256);
  }, 300_000);
});
