/**
 * The one input-kind detector (issue 9 item 5): real sample files are classified by content, never
 * by name, and every kind gospy does not read gets one line saying what it is and what gospy reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, MismatchError, UnsupportedError } from '../../src/base/errors.ts';
import { EM_AARCH64, EM_X86_64 } from '../../src/format/elf/constants.ts';
import { HEAD_BYTES, READABLE_KINDS, detectInputKind, machineName, notAnInput, notTheExecutable } from '../../src/memory/input-kind.ts';
import { listSampleBuilds, samplePath, SAMPLES_DIR } from '../support/samples.ts';

function kindOfFile(p: string) {
  const fd = fs.openSync(p, 'r');
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return detectInputKind(head.subarray(0, n), fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const amd64 = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.27' && b.arch === 'amd64' && b.variant === 'static')!;
const arm64 = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.27' && b.arch === 'arm64' && b.variant === 'static')!;

describe('detectInputKind on real files', () => {
  it('sample cores and executables, by ELF type and machine', async () => {
    expect(kindOfFile(await samplePath(amd64, 'core'))).toEqual({ kind: 'elf-core', machine: EM_X86_64 });
    expect(kindOfFile(await samplePath(amd64, 'exe'))).toEqual({ kind: 'elf-executable', machine: EM_X86_64 });
    expect(kindOfFile(await samplePath(arm64, 'core'))).toEqual({ kind: 'elf-core', machine: EM_AARCH64 });
    expect(kindOfFile(await samplePath(arm64, 'exe'))).toEqual({ kind: 'elf-executable', machine: EM_AARCH64 });
  });

  it('compressed files by magic, whatever their name', () => {
    expect(kindOfFile(path.join(SAMPLES_DIR, 'states', 'go1.27-amd64-static', 'core.xz'))).toEqual({ kind: 'compressed', codec: 'xz' });
    expect(detectInputKind(gzipSync(bytes('x')), 20)).toEqual({ kind: 'compressed', codec: 'gzip' });
    expect(detectInputKind(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0]), 6)).toEqual({ kind: 'compressed', codec: 'zstd' });
  });

  it("the runtime's own dumps are Go traceback text (stack.txt from runtime.Stack, crash.txt from GOTRACEBACK=crash)", () => {
    const dir = path.join(SAMPLES_DIR, 'states', 'go1.27-amd64-static');
    expect(kindOfFile(path.join(dir, 'stack.txt'))).toEqual({ kind: 'go-traceback-text' });
    expect(kindOfFile(path.join(dir, 'crash.txt'))).toEqual({ kind: 'go-traceback-text' });
    expect(kindOfFile(path.join(dir, 'meta.json'))).toEqual({ kind: 'text' });
  });

  it('a traceback behind log prefixes, and the debug=1 goroutine profile', () => {
    const log = '2026-12-03T10:00:00Z app: starting\n2026-12-03T10:00:01Z app: goroutine 1 [running]:\n2026-12-03T10:00:01Z app: main.main()\n';
    expect(detectInputKind(bytes(log), log.length)).toEqual({ kind: 'go-traceback-text' });
    const prof = 'goroutine profile: total 3\n2 @ 0x43a1c6 0x46c8a5\n#\t0x46c8a4\tmain.main+0x24\t/src/main.go:9\n';
    expect(detectInputKind(bytes(prof), prof.length)).toEqual({ kind: 'pprof-text' });
  });

  it('empty, snapshot magic (also cut inside the magic), binary junk', () => {
    expect(detectInputKind(new Uint8Array(0), 0)).toEqual({ kind: 'empty' });
    expect(detectInputKind(bytes('GOSPYSNP\x01\x00'), 10)).toEqual({ kind: 'snapshot' });
    expect(detectInputKind(bytes('GOSPY'), 5)).toEqual({ kind: 'snapshot' });
    expect(detectInputKind(new Uint8Array([1, 2, 0, 4, 5, 6, 7, 8, 9]), 9).kind).toBe('unknown');
  });
});

describe('what gospy says about a kind it does not read', () => {
  it('names the kind and what gospy reads, in one line', () => {
    const text = notAnInput('notes.txt', { kind: 'text' });
    expect(text).toBeInstanceOf(FormatError);
    expect(text.message).toContain(READABLE_KINDS);
    expect(text.message).not.toContain('\n');
    expect(notAnInput('e', { kind: 'empty' }).message).toMatch(/empty file/);
    const tb = notAnInput('stack.txt', { kind: 'go-traceback-text' });
    expect(tb).toBeInstanceOf(UnsupportedError);
    expect(tb.message).toMatch(/Go traceback.*cannot read those yet/);
    expect(notAnInput('c', { kind: 'elf-core', machine: 243 }).message).toMatch(/a core for RISC-V/);
  });

  it('an executable for another architecture names both', () => {
    const e = notTheExecutable('exe', { kind: 'elf-executable', machine: EM_X86_64 }, EM_AARCH64);
    expect(e).toBeInstanceOf(MismatchError);
    expect(e!.message).toBe('the executable exe is for x86-64, the core for AArch64');
    expect(notTheExecutable('exe', { kind: 'elf-executable', machine: EM_AARCH64 }, EM_AARCH64)).toBeUndefined();
    expect(machineName(9999)).toBe('machine 9999');
  });
});
