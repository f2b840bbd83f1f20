/**
 * `gospy capture --nonblocking` never stops the target, so a goroutine can run while it is copied.
 * Such goroutines must be flagged (torn), never shown silently wrong: against the running `states`
 * sample (go1.27 static), in both modes, a goroutine whose stack is changed between the copy and
 * the check (the test writes one byte of it through /proc/PID/mem and puts it back) is reported
 * torn in the snapshot, the stacks text and the JSON, and every goroutine not flagged prints as in
 * the program's own runtime.Stack dump. Needs ptrace (CI runs as root); never skips.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capture } from '../../capture/capture.ts';
import { snapshotFromCapture } from '../../src/format/snapshot/reader.ts';
import { snapshotModel } from '../../src/runtime/open-model.ts';
import type { ProcessModel } from '../../src/runtime/model.ts';
import { formatJson } from '../../src/report/json.ts';
import { TORN_NOTE, formatTraceback } from '../../src/report/traceback.ts';
import { compareDumps, parseDump } from '../support/traceback-text.ts';
import { findSample, useGoSample, waitRunning } from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');

describe('gospy capture --nonblocking: torn goroutines', () => {
  const target = useGoSample(build);

  const modelOf = (data: Parameters<typeof snapshotFromCapture>[0]): ProcessModel => snapshotModel(snapshotFromCapture(data), 'nonblocking test');

  /** Goroutines not flagged torn print as the runtime printed them (running ones by presence). */
  function expectUntornMatchDump(model: ProcessModel): void {
    const torn = new Set(model.goroutines.filter((g) => g.torn).map((g) => g.id));
    const oracle = parseDump(fs.readFileSync(target.stackPath, 'utf8')).filter((g) => !torn.has(g.id));
    const ours = parseDump([...formatTraceback(model, { all: false })].join('')).filter((g) => !torn.has(g.id));
    const { mismatches, compared } = compareDumps(oracle, ours, { skip: oracle[0]!, elsewhereMustBeBusy: true });
    expect(compared).toBeGreaterThan(15);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
  }

  it.each(['full', 'goroutines'] as const)('%s mode, target held still: nothing is torn', async (mode) => {
    process.kill(target.pid, 'SIGSTOP');
    try {
      const nb = capture({ pid: target.pid, mode, nonblocking: true });
      expect(nb.data.meta.tornGoroutines).toEqual([]);
      expectUntornMatchDump(modelOf(nb.data));
    } finally {
      process.kill(target.pid, 'SIGCONT');
    }
  });

  it.each(['full', 'goroutines'] as const)('%s mode: a goroutine changed while copied is flagged torn everywhere', async (mode) => {
    // Where the goroutine parked in main.blockChanRecv keeps its innermost frame.
    const before = modelOf(capture({ pid: target.pid }).data);
    const victim = before.goroutines.find((g) => g.frames.some((f) => f.function === 'main.blockChanRecv'))!;
    expect(victim).toBeDefined();
    const at = victim.frames[0]!.sp;
    const mem = fs.openSync(`/proc/${target.pid}/mem`, 'r+');
    const original = Buffer.alloc(1);
    try {
      expect(fs.readSync(mem, original, 0, 1, at)).toBe(1);
      const nb = capture({
        pid: target.pid,
        mode,
        nonblocking: true,
        onStep: (step) => {
          // After the copy, before the second reading: as if the goroutine ran in between.
          if (step === 'copied') fs.writeSync(mem, Buffer.from([original[0]! ^ 0xff]), 0, 1, at);
          if (step === 'torn checked') fs.writeSync(mem, original, 0, 1, at);
        },
      });
      expect(nb.data.meta.tornGoroutines).toContain(victim.address);

      const model = modelOf(nb.data);
      const g = model.goroutines.find((x) => x.id === victim.id)!;
      expect(g.torn).toBe(true);
      const text = [...formatTraceback(model, { all: false })].join('');
      expect(text).toContain(`goroutine ${victim.id} [chan receive`);
      expect(text.split(`goroutine ${victim.id} [`)[1]!.split('\n')[1]).toBe(`\t${TORN_NOTE}`);
      const doc = JSON.parse([...formatJson(model, { report: 'stacks', all: false })].join('')) as { goroutines: { id: number; torn: boolean }[] };
      expect(doc.goroutines.find((x) => x.id === victim.id)?.torn).toBe(true);
      expect(doc.goroutines.filter((x) => x.torn).length).toBe(model.goroutines.filter((x) => x.torn && !x.system).length);
      expectUntornMatchDump(model);
    } finally {
      fs.writeSync(mem, original, 0, 1, at);
      fs.closeSync(mem);
    }
    expect((await waitRunning(target.pid)).tracer).toBe(0);
  });
});
