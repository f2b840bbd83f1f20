/**
 * The parallel copier (capture/copy.ts, copy-piece.ts, copy-worker.ts) against a real Go process
 * (the `states` sample, go1.27 static) held still with SIGSTOP: every thread count copies the same
 * bytes, equal to what /proc/PID/mem reads; with `scan` exactly the resident pages are copied;
 * unreadable pages are counted as missed; a dead process is reported as gone. Needs ptrace rights
 * (CI runs as root); never skips.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Copier, type CopyResult } from '../../capture/copy.ts';
import { PagemapScanner, copyableMapping, type PageRun } from '../../capture/pagemap.ts';
import { readMaps } from '../../capture/proc.ts';
import { findSample, requirePtrace, startGoSample, type LiveTarget } from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');
const PAGE = 4096;

describe('Copier', () => {
  let target: LiveTarget;
  let resident: PageRun[];
  let mem: number;

  beforeAll(async () => {
    requirePtrace();
    target = await startGoSample(build);
    process.kill(target.pid, 'SIGSTOP');
    const scanner = new PagemapScanner(target.pid);
    resident = scanner.scan(readMaps(target.pid));
    scanner.close();
    mem = fs.openSync(`/proc/${target.pid}/mem`, 'r');
  });
  afterAll(async () => {
    if (mem !== undefined) fs.closeSync(mem);
    await target?.kill();
  });

  const total = (runs: readonly { len: number }[]): number => runs.reduce((s, r) => s + r.len, 0);

  /** Asserts every copied run holds what /proc/PID/mem reads at its address. */
  function expectSameAsProcMem(r: CopyResult): void {
    for (const run of r.runs) {
      const want = Buffer.alloc(run.bytes.length);
      expect(fs.readSync(mem, want, 0, want.length, run.addr)).toBe(want.length);
      expect(Buffer.compare(Buffer.from(run.bytes.buffer, run.bytes.byteOffset, run.bytes.length), want), `run 0x${run.addr.toString(16)}`).toBe(0);
    }
  }

  it.each([0, 1, 3])('copies every resident page with %i workers, as /proc/PID/mem reads it', (threads) => {
    const c = new Copier(target.pid, total(resident) + (1 << 20), { threads });
    try {
      expect(c.threads).toBe(threads);
      const r = c.copy(resident, { scan: false });
      expect(r.gone).toBe(false);
      expect(r.denied).toBe(false);
      expect(r.missedBytes).toBe(0);
      expect(r.bytes).toBe(total(resident));
      expect(total(r.runs.map((x) => ({ len: x.bytes.length })))).toBe(r.bytes);
      // Runs come back in address order and never span two of the caller's runs (here: mappings).
      const maps = readMaps(target.pid);
      let prev = 0;
      for (const run of r.runs) {
        expect(run.addr).toBeGreaterThanOrEqual(prev);
        prev = run.addr + run.bytes.length;
        expect(maps.some((m) => run.addr >= m.start && run.addr + run.bytes.length <= m.end)).toBe(true);
      }
      expectSameAsProcMem(r);
    } finally {
      c.close();
    }
  });

  it('with scan, copies exactly the pages pagemap reports resident', () => {
    const whole = readMaps(target.pid)
      .filter(copyableMapping)
      .map((m) => ({ addr: m.start, len: m.end - m.start }));
    const c = new Copier(target.pid, total(whole) + (1 << 20), { threads: 1 });
    try {
      const r = c.copy(whole, { scan: true });
      expect(r.bytes).toBe(total(resident));
      const pages = (runs: readonly { addr: number; len: number }[]): number[] =>
        runs.flatMap((x) => Array.from({ length: x.len / PAGE }, (_, i) => x.addr + i * PAGE));
      expect(pages(r.runs.map((x) => ({ addr: x.addr, len: x.bytes.length })))).toEqual(pages(resident));
      expectSameAsProcMem(r);
    } finally {
      c.close();
    }
  });

  it('counts pages it cannot read as missed and returns the rest', () => {
    const maps = readMaps(target.pid).sort((a, b) => a.start - b.start);
    // A page in a hole between two mappings, and a resident page after it.
    const holeAt = maps.findIndex((m, i) => i + 1 < maps.length && maps[i + 1]!.start - m.end >= PAGE);
    expect(holeAt).toBeGreaterThanOrEqual(0);
    const hole = { addr: maps[holeAt]!.end, len: PAGE };
    const after = resident.find((r) => r.addr > hole.addr)!;
    const c = new Copier(target.pid, 1 << 20, { threads: 1 });
    try {
      const r = c.copy([hole, { addr: after.addr, len: PAGE }], { scan: false });
      expect(r.missedBytes).toBe(PAGE);
      expect(r.runs.map((x) => x.addr)).toEqual([after.addr]);
      expectSameAsProcMem(r);
    } finally {
      c.close();
    }
  });

  it('lets the caller copy another job while a started one runs, and returns both whole', () => {
    const half = Math.floor(resident.length / 2);
    const a = resident.slice(0, half);
    const b = resident.slice(half);
    const c = new Copier(target.pid, total(resident) + (1 << 20), { threads: 1 });
    try {
      const started = c.start(b, { scan: true });
      const ra = c.copy(a, { scan: true });
      const rb = c.finish(started);
      expect(ra.bytes).toBe(total(a));
      expect(rb.bytes).toBe(total(b));
      expectSameAsProcMem(ra);
      expectSameAsProcMem(rb);
    } finally {
      c.close();
    }
  });

  it('rejects runs that are not page-aligned or out of order', () => {
    const c = new Copier(target.pid, 1 << 20, { threads: 0 });
    try {
      expect(() => c.copy([{ addr: resident[0]!.addr + 8, len: PAGE }], { scan: false })).toThrow(/page-aligned/);
      expect(() => c.copy([resident[1]!, resident[0]!], { scan: false })).toThrow(/out of order/);
    } finally {
      c.close();
    }
  });

  it('says the process is gone when it dies before the copy', async () => {
    const t = await startGoSample(build);
    const c = new Copier(t.pid, 1 << 20, { threads: 1 });
    try {
      const scanner = new PagemapScanner(t.pid);
      const runs = scanner.scan(readMaps(t.pid)).slice(0, 4);
      scanner.close();
      await t.kill();
      const r = c.copy(runs, { scan: false });
      expect(r.gone).toBe(true);
      expect(r.runs).toEqual([]);
    } finally {
      c.close();
    }
  });
});
