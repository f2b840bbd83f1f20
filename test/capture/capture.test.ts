/**
 * gospy capture against a real, running Go program (the committed `states` sample, go1.27 static):
 * threads, registers and memory of the CaptureData, the target running afterwards, and the end to
 * end promise — `gospy capture` then `gospy analyze --report stacks` prints each goroutine as the
 * program's own runtime.Stack dump did. Needs ptrace (CI runs as root); never skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, type CaptureOutcome } from '../../capture/capture.ts';
import { writeSnapshotFile } from '../support/core-to-snapshot.ts';
import { openModel } from '../../src/runtime/open-model.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { copyableMapping, PagemapScanner } from '../../capture/pagemap.ts';
import { readMaps } from '../../capture/proc.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';
import { compareDumps, parseDump } from '../support/traceback-text.ts';
import {
  cpuTicks,
  findSample,
  requirePtrace,
  runGospy,
  sleep,
  startGoSample,
  threadStates,
  tracerPid,
  waitRunning,
  useGoSample,
  type LiveTarget,
} from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');
const RIP = 16;
const RSP = 19;
const FS_BASE = 21;

describe('capture of a running Go program', () => {
  let target: LiveTarget;
  let out: CaptureOutcome;
  let monoBefore = 0;
  let monoAfter = 0;
  let wallBefore = 0;
  let wallAfter = 0;

  beforeAll(async () => {
    requirePtrace();
    target = await startGoSample(build);
    wallBefore = Date.now();
    monoBefore = Number(process.hrtime.bigint());
    out = capture({ pid: target.pid });
    monoAfter = Number(process.hrtime.bigint());
    wallAfter = Date.now();
  });
  afterAll(async () => {
    await target?.kill();
  });

  it('records the process', async () => {
    const m = out.data.meta;
    expect(m.pid).toBe(target.pid);
    expect(m.arch).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
    expect(m.mode).toBe('full');
    expect(m.partial).toBe(false);
    expect(m.unstoppedThreads).toEqual([]);
    expect(m.nonblocking).toBe(false);
    expect(m.pageSize).toBe(4096);
    expect(m.pauseMs).toBeGreaterThan(0);
    expect(m.pauseMs).toBeLessThan(2000);
    expect(m.cmdline.length).toBe(1);
    expect(m.exeBuildId).toMatch(/^[\w-]+\/[\w-]+\/[\w-]+\/[\w-]+$/);
    // Process's own CLOCK_MONOTONIC (hrtime) brackets the reading at the freeze (same time namespace).
    expect(m.monotonicNs).toBeGreaterThanOrEqual(monoBefore);
    expect(m.monotonicNs).toBeLessThanOrEqual(monoAfter);
    // The wall-clock time of the capture, bracketed the same way (no bound on how long it took).
    expect(Date.parse(m.time)).toBeGreaterThanOrEqual(wallBefore);
    expect(Date.parse(m.time)).toBeLessThanOrEqual(wallAfter);
    // The executable is the sample's, byte for byte, read through /proc/PID/exe.
    expect(Buffer.from(out.data.exe).equals(fs.readFileSync(await samplePath(build, 'exe')))).toBe(true);
    expect(out.data.auxv.length % 16).toBe(0);
    expect(out.data.auxv.length).toBeGreaterThan(16);
  });

  it('has every thread, stopped, with registers', () => {
    const { threads } = out.data;
    expect(threads.length).toBeGreaterThanOrEqual(3);
    expect(threads[0]!.tid).toBe(target.pid);
    const tasks = fs.readdirSync(`/proc/${target.pid}/task`).map(Number).sort((a, b) => a - b);
    expect(threads.map((t) => t.tid).sort((a, b) => a - b)).toEqual(tasks);
    for (const t of threads) {
      expect(t.stopped, `thread ${t.tid}`).toBe(true);
      expect(t.state).toMatch(/^[RSD]$/);
      expect(t.regs.length).toBe(process.arch === 'arm64' ? 272 : 216);
    }
  });

  it('pc of every thread is in an executable mapping, sp in captured memory', () => {
    if (process.arch !== 'x64') throw new Error('this check decodes amd64 registers; add the arm64 offsets (pc 32, sp 31)');
    const exec = out.data.maps.filter((m) => m.perms[2] === 'x');
    const runs = out.data.memory;
    for (const t of out.data.threads) {
      const dv = new DataView(t.regs.buffer, t.regs.byteOffset, t.regs.byteLength);
      const pc = Number(dv.getBigUint64(RIP * 8, true));
      const sp = Number(dv.getBigUint64(RSP * 8, true));
      const fsBase = Number(dv.getBigUint64(FS_BASE * 8, true));
      expect(exec.some((m) => pc >= m.start && pc < m.end), `thread ${t.tid} pc 0x${pc.toString(16)}`).toBe(true);
      const run = runs.find((r) => sp >= r.addr && sp + 8 <= r.addr + r.bytes.length);
      expect(run, `thread ${t.tid} sp 0x${sp.toString(16)} is not in captured memory`).toBeDefined();
      // The word at sp is a stack word: the captured copy is real memory, not zeros everywhere.
      expect(fsBase).toBeGreaterThan(0);
    }
    // Somewhere on the stacks there is a return address into the text: the copies hold real data.
    const text = exec[0]!;
    let found = 0;
    for (const t of out.data.threads) {
      const dv = new DataView(t.regs.buffer, t.regs.byteOffset, t.regs.byteLength);
      const sp = Number(dv.getBigUint64(RSP * 8, true));
      const run = runs.find((r) => sp >= r.addr && sp < r.addr + r.bytes.length)!;
      const mem = new DataView(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength);
      for (let o = sp - run.addr; o + 8 <= Math.min(run.bytes.length, sp - run.addr + 512); o += 8) {
        const w = Number(mem.getBigUint64(o, true));
        if (w >= text.start && w < text.end) found++;
      }
    }
    expect(found).toBeGreaterThan(0);
  });

  it('copies only present pages of readable mappings', () => {
    const maps = out.data.maps;
    let total = 0;
    for (const r of out.data.memory) {
      total += r.bytes.length;
      expect(r.addr % 4096).toBe(0);
      expect(r.bytes.length % 4096).toBe(0);
      const m = maps.find((x) => r.addr >= x.start && r.addr + r.bytes.length <= x.end);
      expect(m, `run 0x${r.addr.toString(16)} is inside one mapping`).toBeDefined();
      expect(copyableMapping(m!)).toBe(true);
    }
    expect(total).toBe(out.stats.copiedBytes);
    // Go reserves hundreds of MiB of PROT_NONE arenas; the copy is about the resident size.
    const reserved = maps.filter((m) => Number.isFinite(m.end)).reduce((s, m) => s + (m.end - m.start), 0);
    const rss = Number(/VmRSS:\s*(\d+) kB/.exec(fs.readFileSync(`/proc/${target.pid}/status`, 'utf8'))![1]) * 1024;
    expect(total).toBeLessThan(reserved / 4);
    expect(total).toBeLessThanOrEqual(rss + (4 << 20));
  });

  it('does not fault in pages: the target has as many present pages after as before', () => {
    const count = (): number => {
      const sc = new PagemapScanner(target.pid);
      try {
        return sc.scan(readMaps(target.pid)).reduce((s, r) => s + r.len, 0);
      } finally {
        sc.close();
      }
    };
    const before = count();
    const again = capture({ pid: target.pid });
    const after = count();
    // A capture that read every readable page would add the untouched heap arena (tens of MiB).
    expect(Math.abs(after - before)).toBeLessThan(1 << 20);
    expect(again.stats.copiedBytes).toBeLessThanOrEqual(before + (1 << 20));
  });

  it('leaves the target running', async () => {
    const { states, tracer } = await waitRunning(target.pid);
    expect(tracer).toBe(0);
    expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
    // The sample's two spinning goroutines keep burning CPU.
    const before = cpuTicks(target.pid);
    await sleep(300);
    expect(cpuTicks(target.pid)).toBeGreaterThan(before);
  });

  it('a second capture in the same process works too, and is quick', () => {
    const again = capture({ pid: target.pid });
    expect(again.data.threads.every((t) => t.stopped)).toBe(true);
    expect(again.stats.pauseMs).toBeLessThan(1000);
    expect(threadStates(target.pid).filter((s) => s === 't')).toEqual([]);
    expect(tracerPid(target.pid)).toBe(0);
  });

  it('--nonblocking copies memory without stopping the target', () => {
    const nb = capture({ pid: target.pid, nonblocking: true });
    expect(nb.data.meta.nonblocking).toBe(true);
    expect(nb.stats.pauseMs).toBe(0);
    expect(nb.data.threads.every((t) => !t.stopped && t.regs.length === 0)).toBe(true);
    expect(nb.stats.copiedBytes).toBeGreaterThan(1 << 20);
  });
});

describe('gospy capture (CLI), then gospy analyze (CLI)', () => {
  const target = useGoSample(build);

  it('writes a 0600 snapshot, prints the pause, analyzes like the runtime dump, refuses to overwrite without --force', async () => {
    const snap = path.join(target.dir, 'snap.gsz');
    const cap = await runGospy(['capture', '--pid', String(target.pid), '-o', snap]);
    expect(cap.code, cap.stderr).toBe(0);
    expect(cap.stderr).toMatch(new RegExp(`^gospy: pid ${target.pid}: paused \\d+\\.\\d ms; \\d+ threads, [\\d.]+ MiB in \\d+ runs\n`));
    expect(fs.statSync(snap).mode & 0o777).toBe(0o600);
    const state = await waitRunning(target.pid);
    expect(state.states.filter((s) => s === 'T' || s === 't')).toEqual([]);
    // `gospy analyze snap.gsz --report stacks` prints what the program's own runtime.Stack printed.
    const an = await runGospy(['analyze', snap, '--report', 'stacks']);
    expect(an.code, an.stderr).toBe(0);
    const oracle = parseDump(fs.readFileSync(target.stackPath, 'utf8'));
    const { mismatches, compared } = compareDumps(oracle, parseDump(an.stdout), { skip: oracle[0]!, elsewhereMustBeBusy: true });
    expect(compared).toBeGreaterThan(20);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
    // A second capture refuses to overwrite without --force, before stopping anything.
    const again = await runGospy(['capture', '--pid', String(target.pid), '-o', snap]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const forced = await runGospy(['capture', '--pid', String(target.pid), '-o', snap, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  });
});

/**
 * The acceptance, on every runnable sample (this machine's arch): capture the running
 * program, analyze the snapshot, compare with the program's own runtime.Stack dump goroutine by
 * goroutine (skipping the goroutine that wrote the dump; running goroutines by presence and status).
 * Both modes: full, and goroutines (which must know each Go version's layout to copy the right bytes).
 */
const runnable = listSampleBuilds().filter((b) => b.arch === (process.arch === 'arm64' ? 'arm64' : 'amd64'));
describe('capture + analyze --report stacks equals the runtime own dump', () => {
  it('has runnable samples', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });
  it.each(runnable.map((b) => [sampleName(b), b] as const))('%s', async (_name, b) => {
    requirePtrace();
    const t = await startGoSample(b);
    try {
      // In-process (the CLI path is tested above): capture, write the .gsz, analyze the file.
      const oracle = parseDump(fs.readFileSync(t.stackPath, 'utf8'));
      expect(oracle.length).toBeGreaterThan(20);
      for (const mode of ['full', 'goroutines'] as const) {
        const snap = path.join(t.dir, `${mode}.gsz`);
        const { data } = capture({ pid: t.pid, mode });
        // Partial only when a thread was slow to stop (a loaded machine), never from missing memory.
        expect(data.meta.partial && data.meta.unstoppedThreads.length === 0, mode).toBe(false);
        await writeSnapshotFile(snap, data);
        const model = await openModel(snap);
        const ours = parseDump([...formatTraceback(model, { all: false })].join(''));
        const { mismatches, compared } = compareDumps(oracle, ours, { skip: oracle[0]!, elsewhereMustBeBusy: true });
        expect(compared, mode).toBeGreaterThan(20);
        expect(mismatches, `${mode}:\n${mismatches.join('\n\n')}`).toEqual([]);
        expect((await waitRunning(t.pid)).tracer).toBe(0);
      }
    } finally {
      await t.kill();
    }
  });
});
