/**
 * `gospy capture --mode goroutines` against real, running Go programs (the `states` sample and the
 * 10k-goroutine `many` sample, go1.27 static): the pause is printed, the snapshot is much smaller
 * than a full one, and `gospy analyze --report stacks` of it prints each goroutine as the program's
 * own runtime.Stack dump did (the rules of test/golden/stacks.test.ts). Needs ptrace (CI runs as
 * root); never skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../../capture/capture.ts';
import { compareDumps, parseDump } from '../support/traceback-text.ts';
import { findSample, requirePtrace, runGospy, startGoSample, waitRunning } from '../support/live-target.ts';

const cases = [
  // `states` has a heap beside its goroutines: a fraction of a full capture. `many` is little but its
  // 10k goroutines (g structs and stacks are most of its memory), so the saving there is smaller.
  { name: 'states', build: findSample('states', 'go1.27', 'static'), minGoroutines: 20, maxFractionOfFull: 1 / 3 },
  { name: 'many (10k goroutines)', build: findSample('many', 'go1.27', 'static'), minGoroutines: 10_000, maxFractionOfFull: 0.8 },
];

describe('gospy capture --mode goroutines', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: small snapshot, short pause, stacks equal the runtime own dump', async (_name, c) => {
    requirePtrace();
    const t = await startGoSample(c.build);
    try {
      const full = capture({ pid: t.pid, mode: 'full' });
      const small = capture({ pid: t.pid, mode: 'goroutines' });
      expect(small.data.meta.mode).toBe('goroutines');
      expect(small.data.meta.partial).toBe(false);
      expect(small.stats.copiedBytes).toBeGreaterThan(0);
      // Smaller than a full capture of the same process.
      expect(small.stats.copiedBytes, `goroutines ${small.stats.copiedBytes} B vs full ${full.stats.copiedBytes} B`).toBeLessThan(full.stats.copiedBytes * c.maxFractionOfFull);

      const snap = path.join(t.dir, 'goroutines.gsz');
      const cap = await runGospy(['capture', '--pid', String(t.pid), '--mode', 'goroutines', '-o', snap]);
      expect(cap.code, cap.stderr).toBe(0);
      expect(cap.stderr).toMatch(new RegExp(`^gospy: pid ${t.pid}: paused \\d+\\.\\d ms; \\d+ threads, [\\d.]+ MiB in \\d+ runs\n`));
      expect((await waitRunning(t.pid)).tracer).toBe(0);

      const an = await runGospy(['analyze', snap, '--report', 'stacks']);
      expect(an.code, an.stderr).toBe(0);
      const oracle = parseDump(fs.readFileSync(t.stackPath, 'utf8'));
      expect(oracle.length).toBeGreaterThan(c.minGoroutines);
      const { mismatches, compared } = compareDumps(oracle, parseDump(an.stdout), { skip: oracle[0]!, elsewhereMustBeBusy: true });
      expect(compared).toBeGreaterThan(c.minGoroutines);
      expect(mismatches, mismatches.slice(0, 5).join('\n\n')).toEqual([]);
    } finally {
      await t.kill();
    }
  }, 120_000);
});
