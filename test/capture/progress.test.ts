/**
 * `gospy capture`'s progress line while it compresses a large capture: shown only on a terminal,
 * one self-overwriting line (`\r` + erase-line) that counts up to the total, erased before the
 * final "wrote" line; nothing of it when stderr is not a terminal. Runs runCapture (the command
 * behind `gospy capture`) against the running 10k-goroutine `many` sample (go1.27 static, a full
 * capture of ~36 MiB), with a stderr that says it is or is not a TTY. Needs ptrace (CI runs as
 * root); never skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapture } from '../../analyze/capture-file.ts';
import { findSample, useGoSample } from '../support/live-target.ts';

const build = findSample('many', 'go1.27', 'static');

describe('gospy capture progress line', () => {
  const target = useGoSample(build);

  async function captureWith(isTTY: boolean): Promise<{ stderr: string; copied: number }> {
    let stderr = '';
    const out = path.join(target.dir, `progress-${String(isTTY)}.gsz`);
    const outcome = await runCapture(
      { pid: target.pid, output: out, force: true, mode: 'full', nonblocking: false, stopDeadlineMs: 200 },
      { stderr: { isTTY, write: (s: string) => (stderr += s) } },
    );
    fs.rmSync(out, { force: true });
    return { stderr, copied: outcome.stats.copiedBytes };
  }

  it('on a terminal: one line counting up to the total, erased before the result', async () => {
    const { stderr, copied } = await captureWith(true);
    expect(copied).toBeGreaterThan(16 << 20); // large enough to show progress
    const updates = [...stderr.matchAll(/\r\u001b\[Kgospy: compressing ([\d.]+)\/([\d.]+) MiB/g)];
    expect(updates.length).toBeGreaterThan(3);
    const done = updates.map((m) => Number(m[1]));
    const totals = new Set(updates.map((m) => m[2]));
    expect(totals.size).toBe(1);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done[done.length - 1]).toBe(Number([...totals][0]));
    // Erased, then the result on a line of its own; no progress text after it.
    expect(stderr).toMatch(/\r\u001b\[Kgospy: wrote [^\r\u001b]+ MiB, brotli, [\d.]+ s\)\n$/);
  }, 120_000);

  it('not on a terminal: no progress, only the pause and the result lines', async () => {
    const { stderr } = await captureWith(false);
    expect(stderr).not.toMatch(/compressing|\r|\u001b/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(2);
  }, 120_000);
});
