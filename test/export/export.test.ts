/**
 * `gospy export snap.gsz --core OUT --exe OUT`: committed sample cores are converted to snapshots
 * (test/support/core-to-snapshot.ts), exported back to ELF cores, and then
 *  1. gospy reads the exported core exactly like the original (`--report stacks`, with and without --all);
 *  2. binutils' readelf sees the layout delve needs (PT_NOTE first, one NT_PRSTATUS per thread, …);
 *  3. delve (`dlv core`) opens it and lists the goroutines gospy lists.
 * Missing readelf or delve fails the test with how to get them: never skipped.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../analyze/main.ts';
import { BufferSource } from '../../src/base/bytes.ts';
import { NT_FILE, NT_PRSTATUS, PT_LOAD, PT_NOTE } from '../../src/format/elf/constants.ts';
import { parseNtFile, parsePrStatus } from '../../src/format/elf/core-notes.ts';
import { coreChunks, type CoreInput } from '../../src/format/elf/core-writer.ts';
import { ElfFile } from '../../src/format/elf/file.ts';
import { openSnapshot } from '../../src/memory/snapshot-image.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { openModel } from '../../src/runtime/open-model.ts';
import { coreToSnapshot } from '../support/core-to-snapshot.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-export-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const text = (it: Iterable<string>): string => [...it].join('');

function memIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as CliIo['stdout'],
    stderr: { write: (s: string) => ((err += s), true) } as unknown as CliIo['stderr'],
    env: {},
    out: () => out,
    err: () => err,
  };
}

const builds = listSampleBuilds();
const pick = (program: string, go: string, variant: string) => {
  const b = builds.find((x) => x.program === program && x.go === go && x.variant === variant && x.arch === 'amd64');
  if (!b) throw new Error(`sample ${program}/${go}-amd64-${variant} is missing`);
  return b;
};
const chosen = [pick('states', 'go1.27', 'pie'), pick('states', 'go1.27', 'static'), pick('states', 'go1.27', 'cgo'), pick('many', 'go1.19', 'static')];

interface Exported {
  readonly name: string;
  readonly core: string;
  readonly exe: string;
  readonly gsz: string;
  readonly outCore: string;
  readonly outExe: string;
}

const exported = new Map<string, Promise<Exported>>();
function exportOf(b: (typeof chosen)[number]): Promise<Exported> {
  const name = sampleName(b);
  let p = exported.get(name);
  if (!p) {
    p = (async () => {
      const core = await samplePath(b, 'core');
      const exe = await samplePath(b, 'exe');
      const base = path.join(dir, name.replace(/\W+/g, '_'));
      const gsz = `${base}.gsz`;
      await coreToSnapshot(core, exe, gsz);
      const io = memIo();
      const code = await main(['export', gsz, '--core', `${base}.core`, '--exe', `${base}.exe`], io);
      expect(code, io.err()).toBe(0);
      return { name, core, exe, gsz, outCore: `${base}.core`, outExe: `${base}.exe` };
    })();
    exported.set(name, p);
  }
  return p;
}

describe('gospy export --core: gospy reads the exported core like the original', () => {
  it.each(chosen.map((b) => [sampleName(b), b] as const))('%s', async (_name, b) => {
    const e = await exportOf(b);
    expect(fs.statSync(e.outCore).mode & 0o777).toBe(0o600);
    expect(fs.statSync(e.outExe).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(e.outExe).equals(fs.readFileSync(e.exe))).toBe(true);
    const fromCore = await openModel(e.core, { exe: e.exe });
    const fromExport = await openModel(e.outCore, { exe: e.outExe });
    expect(fromExport.goroutines.length).toBe(fromCore.goroutines.length);
    expect(text(formatTraceback(fromExport, { all: false }))).toBe(text(formatTraceback(fromCore, { all: false })));
    expect(text(formatTraceback(fromExport, { all: true }))).toBe(text(formatTraceback(fromCore, { all: true })));

    // Notes: one NT_PRSTATUS per snapshot thread, in order; NT_FILE lists only the executable.
    const snap = openSnapshot(e.gsz);
    try {
      const elf = ElfFile.parse(new BufferSource(new Uint8Array(fs.readFileSync(e.outCore)), e.outCore));
      expect(elf.progs[0]!.type).toBe(PT_NOTE);
      expect(elf.progs.slice(1).every((p) => p.type === PT_LOAD)).toBe(true);
      const notes = [...elf.notes(elf.progs[0]!)];
      const tids = notes.filter((n) => n.type === NT_PRSTATUS).map((n) => parsePrStatus(n.desc, 'amd64').tid);
      expect(tids).toEqual(snap.threads.map((t) => t.tid));
      const file = parseNtFile(notes.find((n) => n.type === NT_FILE)!.desc);
      expect(file.entries.length).toBeGreaterThan(0);
      expect(new Set(file.entries.map((f) => f.path)).size).toBe(1);
      expect(file.entries[0]!.path).toBe(snap.meta.exePath);
    } finally {
      snap.close();
    }
  });

  it('refuses to overwrite without --force, replaces with it, and leaves no temporary file', async () => {
    const e = await exportOf(chosen[1]!);
    const before = fs.readFileSync(e.outCore);
    const io = memIo();
    expect(await main(['export', e.gsz, '--core', e.outCore], io)).toBe(1);
    expect(io.err()).toMatch(/already exists; not overwriting it/);
    expect(io.err()).toMatch(/--force/);
    const io2 = memIo();
    expect(await main(['export', e.gsz, '--core', e.outCore, '--force'], io2), io2.err()).toBe(0);
    expect(fs.readFileSync(e.outCore).equals(before)).toBe(true);
    expect(fs.statSync(e.outCore).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const io3 = memIo();
    expect(await main(['export', e.gsz], io3)).toBe(2);
    expect(io3.err()).toMatch(/--core OUT and\/or --exe OUT/);
  });

  it('over 65534 segments: e_phnum is PN_XNUM and section header 0 holds the count', () => {
    const regs = new Uint8Array(216);
    const input: CoreInput = {
      arch: 'amd64',
      pageSize: 4096,
      threads: [{ tid: 7, regs }],
      process: { pid: 7, fname: 'x', psargs: 'x' },
      auxv: new Uint8Array(16),
      files: [],
      segments: Array.from({ length: 70000 }, (_, i) => ({
        vaddr: 0x10000 + i * 0x2000,
        memsz: 0x1000,
        flags: 6,
        filesz: i % 1000 === 0 ? 0x1000 : 0,
        data: () => [new Uint8Array(0x1000).fill(i & 0xff)],
      })),
    };
    const bytes = Buffer.concat([...coreChunks(input)]);
    expect(bytes.readUInt16LE(56)).toBe(0xffff);
    const elf = ElfFile.parse(new BufferSource(new Uint8Array(bytes), 'xnum.core'));
    expect(elf.progs.length).toBe(70001);
    const p = elf.progs[1 + 2000]!;
    expect(p.filesz).toBe(0x1000);
    expect(bytes[p.offset]).toBe(2000 & 0xff);
  });
});

describe('readelf sees a standard core', () => {
  it.each(chosen.map((b) => [sampleName(b), b] as const))('%s', async (_name, b) => {
    const e = await exportOf(b);
    const r = spawnSync('readelf', ['-h', '-l', '-n', '-W', e.outCore], { encoding: 'utf8' });
    if (r.error) {
      throw new Error(`readelf could not be run (${r.error.message}): install binutils (apt-get install binutils); this test never skips`);
    }
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Type:\s+CORE \(Core file\)/);
    expect(out).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
    const progLines = out.split('\n').filter((l) => /^\s+(NOTE|LOAD)\s/.test(l));
    expect(progLines[0]).toMatch(/^\s+NOTE\s/);
    expect(progLines.slice(1).length).toBeGreaterThan(0);
    expect(progLines.slice(1).every((l) => /^\s+LOAD\s/.test(l))).toBe(true);
    const snap = openSnapshot(e.gsz);
    const threads = snap.threads.length;
    snap.close();
    expect(out.match(/NT_PRSTATUS/g)?.length).toBe(threads);
    expect(out.match(/NT_PRPSINFO/g)?.length).toBe(1);
    expect(out.match(/NT_AUXV/g)?.length).toBe(1);
    expect(out.match(/NT_FILE/g)?.length).toBe(1);
    // The first note is the current thread's NT_PRSTATUS.
    expect(out.split('\n').find((l) => /^\s+CORE\s/.test(l))).toMatch(/NT_PRSTATUS/);
  });
});

const DLV = path.join(process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy'), 'toolchains', 'delve', 'usr', 'bin', 'dlv');

describe('dlv core opens the exported core and lists the same goroutines', () => {
  it.each(chosen.map((b) => [sampleName(b), b] as const))('%s', async (_name, b) => {
    if (!fs.existsSync(DLV)) {
      throw new Error(`delve is missing (${DLV}): fetch it with \`bash samples/toolchains.sh --delve-only\` (CI does this in .ci/run); this test never skips`);
    }
    const e = await exportOf(b);
    const init = path.join(dir, 'dlv-init.txt');
    fs.writeFileSync(init, 'goroutines\nexit\n');
    const r = spawnSync(DLV, ['core', e.outExe, e.outCore, '--init', init, '--allow-non-terminal-interactive=true', '--check-go-version=false'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      maxBuffer: 256 << 20,
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') },
    });
    const all = `${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`;
    expect(r.error, all).toBeUndefined();
    const dlvIds = [...r.stdout.matchAll(/^[ *] Goroutine (\d+) - /gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(dlvIds.length, all).toBeGreaterThan(0);
    expect(r.stdout).toMatch(new RegExp(`\\[${dlvIds.length} goroutines\\]`));
    const model = await openModel(e.outCore, { exe: e.outExe });
    const ours = model.goroutines.map((g) => g.id).sort((a, b) => a - b);
    // Delve also lists the dead goroutine of cgo's extra M (parked at runtime.goexit), which the Go
    // runtime's own dump (and so gospy) leaves out; every other id must agree.
    const extra = [...r.stdout.matchAll(/^[ *] Goroutine (\d+) - .* runtime\.goexit \(/gm)].map((m) => Number(m[1]));
    const oursSet = new Set(ours);
    expect(dlvIds.filter((id) => !oursSet.has(id) && !extra.includes(id))).toEqual([]);
    expect(ours.filter((id) => !dlvIds.includes(id))).toEqual([]);
    expect(dlvIds.length - ours.length).toBeLessThanOrEqual(extra.length);
  });
});
