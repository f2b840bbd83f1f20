/**
 * Outputs that cannot be written are the user's mistake, said in one `gospy:` line (exit 1), and
 * found before anything is done: for `capture`, before the target is touched — capture/ (ptrace,
 * koffi) is never even loaded, and the target's threads never stop. A snapshot cut short given to
 * `export` is bad input (exit 1), not an internal error. Runs the real command against a running
 * sample (needs ptrace, as every capture test; never skips).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findSample, runGospy, threadStates, tracerPid, useGoSample } from '../support/live-target.ts';
import { runRecorded, type RecordedRun } from './loaded-modules.ts';

/** One `gospy:` line and at most a hint; exit 1; no stack trace, no "internal error". */
function expectUserMistake(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^gospy: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
}

/** capture/ never loaded: nothing could have stopped the target. */
function expectTargetUntouched(r: RecordedRun, pid: number): void {
  expect(r.repoFiles.filter((f) => f.startsWith('capture/'))).toEqual([]);
  expect(r.packages.has('koffi')).toBe(false);
  expect(r.stderr).not.toMatch(/paused|gospy: pid/);
  expect(tracerPid(pid)).toBe(0);
  expect(threadStates(pid).filter((s) => s === 't' || s === 'T')).toEqual([]);
}

describe('outputs that cannot be written', () => {
  const target = useGoSample(findSample('states', 'go1.27', 'static'));
  let snap = '';
  beforeAll(async () => {
    snap = path.join(target.dir, 'ok.gsz');
    const r = await runGospy(['capture', '--pid', String(target.pid), '-o', snap, '--mode', 'goroutines']);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('capture -o /missing-dir/x.gsz: exit 1 before the target is touched', () => {
    const r = runRecorded(['capture', '--pid', String(target.pid), '-o', '/missing-dir/x.gsz']);
    expectUserMistake(r, /^gospy: cannot write \/missing-dir\/x\.gsz: directory \/missing-dir does not exist$/);
    expectTargetUntouched(r, target.pid);
  });

  it('capture -o DIR --force: exit 1 before the target is touched', () => {
    const r = runRecorded(['capture', '--pid', String(target.pid), '-o', target.dir, '--force']);
    expectUserMistake(r, new RegExp(`^gospy: cannot write ${target.dir}: ${target.dir} is a directory$`));
    expectTargetUntouched(r, target.pid);
  });

  it('capture -o a file under a file: exit 1 before the target is touched', () => {
    const r = runRecorded(['capture', '--pid', String(target.pid), '-o', path.join(snap, 'x.gsz')]);
    expectUserMistake(r, /is not a directory$/);
    expectTargetUntouched(r, target.pid);
  });

  it('capture -o an existing file without --force: exit 1 before the target is touched', () => {
    const r = runRecorded(['capture', '--pid', String(target.pid), '-o', snap]);
    expectUserMistake(r, /already exists; not overwriting it$/);
    expectTargetUntouched(r, target.pid);
  });

  it('export --core /missing-dir/x and --exe DIR --force: exit 1, nothing written', async () => {
    expectUserMistake(await runGospy(['export', snap, '--core', '/missing-dir/x']), /^gospy: cannot write \/missing-dir\/x: directory \/missing-dir does not exist$/);
    const before = fs.readdirSync(target.dir).sort();
    const out = path.join(target.dir, 'x.core');
    expectUserMistake(await runGospy(['export', snap, '--core', out, '--exe', target.dir, '--force']), /is a directory$/);
    expect(fs.readdirSync(target.dir).sort()).toEqual(before);
  });

  it('export of a snapshot cut short: exit 1 with one gospy: line, never an internal error', async () => {
    const bytes = fs.readFileSync(snap);
    for (const frac of [0.3, 0.6, 0.9, 0.99]) {
      const cut = path.join(target.dir, `cut-${frac}.gsz`);
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * frac)));
      const out = path.join(target.dir, `cut-${frac}.core`);
      const r = await runGospy(['export', cut, '--core', out, '--exe', `${out}.exe`]);
      expectUserMistake(r, /truncated|cut short|ends/);
      expect(fs.existsSync(out), `${frac}`).toBe(false);
    }
  });
});
