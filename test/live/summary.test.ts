/**
 * `gospy summary --pid N` against a real, running Go program (the committed `states` sample): one
 * capture into memory, no file, the summary report on stdout and the pause on stderr; the target runs
 * on afterwards. Needs ptrace (CI runs as root); never skips.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSample, runGospy, unusedPid, useGoSample, waitRunning } from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');

describe('gospy summary --pid', () => {
  const target = useGoSample(build);

  it('prints the summary of the live process and leaves it running', async () => {
    const before = fs.readdirSync(target.dir).sort();
    const r = await runGospy(['summary', '--pid', String(target.pid)]);
    expect(r.stderr).toMatch(new RegExp(`^gospy: pid ${target.pid}: paused [0-9.]+ ms; \\d+ threads`, 'm'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`input:      live /proc/${target.pid} (pid ${target.pid})`);
    expect(r.stdout).toMatch(/^goroutines: \d+ \(\d+ system\): waiting/m);
    for (const fn of ['main.main', 'main.blockChanRecv', 'main.blockMutexLock', 'main.blockSelect']) expect(r.stdout).toContain(fn);
    // No file written: neither in the target's directory nor anywhere we were told about.
    expect(fs.readdirSync(target.dir).sort()).toEqual(before);
    const { states, tracer } = await waitRunning(target.pid);
    expect(tracer).toBe(0);
    expect(states.length).toBeGreaterThan(0);
    expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
    expect(target.child.exitCode).toBeNull();
  });

  it('matches `gospy analyze` in JSON form', async () => {
    const r = await runGospy(['summary', '--pid', String(target.pid), '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { report: string; input: { path: string; kind: string; pid: number }; goroutines: unknown[] };
    expect(doc.report).toBe('summary');
    // The input is the process (docs/json.md), not a "live capture" path.
    expect(doc.input).toEqual({ path: `/proc/${target.pid}`, kind: 'live', pid: target.pid });
    expect(doc.goroutines.length).toBeGreaterThan(20);
  });

  it('copies only what goroutine reports read by default, and reports the same goroutines as --mode full', async () => {
    const copiedMiB = (stderr: string): number => Number(/paused [0-9.]+ ms; \d+ threads, ([0-9.]+) MiB in/.exec(stderr)?.[1]);
    const ids = (stdout: string): number[] =>
      (JSON.parse(stdout) as { goroutines: { id: number }[] }).goroutines.map((g) => g.id).sort((a, b) => a - b);
    const small = await runGospy(['summary', '--pid', String(target.pid), '--format', 'json']);
    const full = await runGospy(['summary', '--pid', String(target.pid), '--format', 'json', '--mode', 'full']);
    expect(small.code, small.stderr).toBe(0);
    expect(full.code, full.stderr).toBe(0);
    expect(copiedMiB(small.stderr)).toBeGreaterThan(0);
    expect(copiedMiB(small.stderr)).toBeLessThan(copiedMiB(full.stderr) / 3);
    expect(ids(small.stdout)).toEqual(ids(full.stdout));
    expect(ids(small.stdout).length).toBeGreaterThan(20);
  });

  it('says clearly when the process does not exist', async () => {
    const pid = unusedPid();
    const r = await runGospy(['summary', '--pid', String(pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(String(pid));
    expect(r.stdout).toBe('');
  });

  it('rejects a bad --pid as a usage error', async () => {
    const r = await runGospy(['summary', '--pid', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pid must be a process id');
  });
});
