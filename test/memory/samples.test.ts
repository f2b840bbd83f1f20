/**
 * Real cores from samples/builds: kernel cores (core.xz) and gdb cores (gcore.xz) opened with their
 * executable. listSampleBuilds() throws when there are no samples, so this file fails loudly
 * instead of passing with nothing checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ByteSource } from '../../src/base/bytes.ts';
import { GospyError, MismatchError } from '../../src/base/errors.ts';
import { AT_ENTRY } from '../../src/format/elf/constants.ts';
import { openCoreProcess, parseCore, readCoreNotes } from '../../src/memory/core-process.ts';
import { openFileSource } from '../../src/memory/file-source.ts';
import { type OpenedCore, exeCandidates, openCore } from '../../src/memory/open-core.ts';
import { type SampleBuild, hasSampleFile, listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const builds = listSampleBuilds();
const TIMEOUT = 180_000;

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-samples-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function checkProcess(p: OpenedCore, b: SampleBuild): void {
  expect(p.machine).toBe(b.arch);
  expect(p.threads.length).toBeGreaterThan(0);
  const text = p.exe.elf.section('.text');
  expect(text, 'exe has .text').toBeDefined();
  const lo = text!.addr + p.loadBias;
  const hi = lo + text!.size;
  const inText = p.threads.filter((t) => t.regs.pc >= lo && t.regs.pc < hi);
  // cgo threads may sit in libc; the others must be in Go text, and every pc and sp must be mapped.
  expect(inText.length, 'threads with pc in the exe text').toBeGreaterThan(0);
  if (!b.variant.startsWith('cgo')) expect(inText.length).toBe(p.threads.length);
  for (const t of p.threads) {
    expect(p.image.isMapped(t.regs.pc), `thread ${t.tid} pc mapped`).toBe(true);
    expect(p.image.isMapped(t.regs.sp), `thread ${t.tid} sp mapped`).toBe(true);
    if (b.arch === 'amd64') expect(t.regs.fsBase, `thread ${t.tid} fs_base`).toBeGreaterThan(0);
  }
  expect(p.auxv.get(AT_ENTRY)).toBe(p.exe.elf.header.entry + p.loadBias);
  // qemu-user leaves the executable's first page (ELF header, build id notes) out of its cores.
  if (qemu(b)) expect(p.warnings.map((w) => w.kind)).toContain('build-id-unchecked');
  else expect(p.warnings.map((w) => w.kind)).not.toContain('build-id-unchecked');
  expect(p.truncated).toBeUndefined();
  // Text bytes come from the exe file: the image agrees with the file at the entry point.
  expect(p.image.read(p.exe.elf.header.entry + p.loadBias, 16)).toEqual(p.exe.readVirtual(p.exe.elf.header.entry, 16));
}

/** Cores written by qemu-user (arm64 samples): no NT_FILE, no NT_SIGINFO, no executable pages. */
function qemu(b: SampleBuild): boolean {
  return b.meta['coreWriter'] === 'qemu-user';
}

describe.each(builds.map((b) => [sampleName(b), b] as const))('%s', (_name, b) => {
  it('kernel core: threads, registers, memory, build id', async () => {
    const p = await openCore(await samplePath(b, 'core'), { exePath: await samplePath(b, 'exe') });
    try {
      checkProcess(p, b);
      expect(p.exeFoundBy).toBe('argument');
      if (qemu(b)) expect(p.siginfo, 'qemu-user writes no NT_SIGINFO').toBeUndefined();
      else expect(p.siginfo?.signo, 'kernel cores carry the dumping signal').toBeGreaterThan(0);
    } finally {
      p.close();
    }
  }, TIMEOUT);

  it('kernel core: NT_FILE names the executable, found beside the core', async () => {
    const corePath = await samplePath(b, 'core');
    const src = openFileSource(corePath);
    const notes = readCoreNotes(parseCore(src));
    src.close();
    const first = exeCandidates(notes)[0];
    // qemu-user cores have no NT_FILE: the executable is named only by NT_PRPSINFO.
    expect(first?.by).toBe(qemu(b) ? 'prpsinfo' : 'nt_file');
    if (typeof b.meta['exePathAtBuild'] === 'string') {
      if (qemu(b)) expect(path.basename(first!.recorded)).toBe(path.basename(b.meta['exePathAtBuild']));
      else expect(first?.recorded).toBe(b.meta['exePathAtBuild']);
    }
    // Put the core and the exe (under its recorded basename) in a fresh directory.
    const dir = fs.mkdtempSync(path.join(tmp, 'beside-'));
    fs.symlinkSync(corePath, path.join(dir, 'core'));
    fs.symlinkSync(await samplePath(b, 'exe'), path.join(dir, path.basename(first!.recorded)));
    const p = await openCore(path.join(dir, 'core'));
    try {
      // On the machine that built the sample the recorded path itself may still exist.
      expect(qemu(b) ? ['beside-core', 'prpsinfo'] : ['beside-core', 'nt_file']).toContain(p.exeFoundBy);
      checkProcess(p, b);
    } finally {
      p.close();
    }
  }, TIMEOUT);

  it('a different sample\'s executable → MismatchError', async () => {
    // Another build of the same architecture from another Go release (a stripped copy of the same
    // build has the same code and entry point, so it is not a different program).
    const other = builds.find((o) => o.arch === b.arch && o.go !== b.go);
    if (!other) throw new Error('need at least two different sample builds for the mismatch test');
    const err = await openCore(await samplePath(b, 'core'), { exePath: await samplePath(other, 'exe') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MismatchError);
    // By build id where the core holds the executable's notes, else by the recorded entry point.
    expect((err as MismatchError).message).toMatch(
      qemu(b) ? /does not match the core: the core's program started at 0x[0-9a-f]+, the file's entry point is/ : /does not match the core: the core's program has .*build id .*, the file has .*build id /,
    );
    expect((err as MismatchError).hint).toMatch(/--exe/);
  }, TIMEOUT);

  it('kernel core cut at several points: partial result or a GospyError', async () => {
    const full = openFileSource(await samplePath(b, 'core'));
    const exe = openFileSource(await samplePath(b, 'exe'));
    try {
      for (const frac of [0, 0.001, 0.01, 0.25, 0.5, 0.9, 0.999]) {
        const cut = Math.floor(full.size * frac);
        const src: ByteSource = { size: cut, name: `core cut at ${cut}`, read: (o, l) => full.read(o, Math.max(0, Math.min(l, cut - o))) };
        try {
          const p = openCoreProcess(src, { source: exe, path: 'exe' });
          expect(p.truncated?.missingBytes, `cut at ${cut}`).toBeGreaterThan(0);
          expect(p.warnings.map((w) => w.kind)).toContain('core-truncated');
        } catch (e) {
          expect(e, `cut at ${cut}: ${String(e)}`).toBeInstanceOf(GospyError);
        }
      }
    } finally {
      full.close();
      exe.close();
    }
  }, TIMEOUT);

  // Only builds that ship a gdb core get this case (listed, not skipped: see samples/README.md for
  // which builds have one).
  const gcoreCases = hasSampleFile(b, 'gcore') ? ['gcore: threads, registers, memory, build id'] : [];
  it.each(gcoreCases)('%s', async () => {
    const p = await openCore(await samplePath(b, 'gcore'), { exePath: await samplePath(b, 'exe') });
    try {
      checkProcess(p, b);
    } finally {
      p.close();
    }
  }, TIMEOUT);
});
