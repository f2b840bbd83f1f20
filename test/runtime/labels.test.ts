/**
 * pprof labels (`pprof.Do(ctx, pprof.Labels("k", "v", "key two", "x\"y"), …)` in the states sample)
 * are read from every sample: a map[string]string up to Go 1.23, a label list from 1.24.
 */
import { describe, expect, it } from 'vitest';
import { openModel } from '../../src/runtime/open-model.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const builds = listSampleBuilds().filter((b) => b.program === 'states');

describe('pprof labels', () => {
  it('has states samples', () => expect(builds.length).toBeGreaterThan(0));
  it.each(builds.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const model = await openModel(await samplePath(b, 'core'), { exe: await samplePath(b, 'exe') });
    const labelled = model.goroutines.filter((g) => g.labels !== undefined && Object.keys(g.labels).length > 0);
    expect(labelled.map((g) => g.labels)).toEqual([{ k: 'v', 'key two': 'x"y' }]);
    expect(labelled[0]!.frames.some((f) => f.function.startsWith('main.blockWithLabels'))).toBe(true);
  });
});
