/**
 * `--report stacks --all` against the runtime's own GOTRACEBACK=crash dump printed at the very moment
 * the kernel core was written (samples/…/crash.txt): system goroutines and runtime frames included.
 * The crash dump adds debugging decorations that `--all` does not print (` fp=… sp=… pc=…` on frames,
 * ` gp=… m=… mp=…` in 1.22+ headers); they are removed before comparing. Only the first section of the
 * dump is used: after it, each other thread prints its own registers and current goroutine again.
 */
import { describe, expect, it } from 'vitest';
import { openModel } from '../../src/runtime/open-model.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { readSampleText, listSampleBuilds, sampleName, samplePath, hasSampleFile } from '../support/samples.ts';
import { compareDumps, normalizeCrashDump, parseDump } from '../support/traceback-text.ts';

const builds = listSampleBuilds().filter((b) => hasSampleFile(b, 'core') && readSampleText(b, 'crash.txt') !== undefined);

describe('stacks --all equals the runtime crash dump taken with the core', () => {
  it('has crash dumps to compare with', () => {
    expect(builds.length).toBeGreaterThan(0);
  });

  it.each(builds.map((b) => [sampleName(b), b] as const))('%s', async (_name, b) => {
    const model = await openModel(await samplePath(b, 'core'), { exe: await samplePath(b, 'exe') });
    const ours = parseDump([...formatTraceback(model, { all: true })].join(''));
    const oracle = parseDump(normalizeCrashDump(readSampleText(b, 'crash.txt')!));
    expect(oracle.length).toBeGreaterThan(0);
    const { mismatches, compared } = compareDumps(oracle, ours);
    expect(compared).toBeGreaterThan(0);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
  });
});
