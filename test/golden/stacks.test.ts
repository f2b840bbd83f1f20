/**
 * The central promise: for every sample build (every Go release, static/PIE/cgo, kernel core and
 * gcore), `gospy analyze --report stacks` prints each goroutine exactly as the Go runtime's own
 * runtime.Stack(buf, true) printed it just before the core was taken (samples/…/stack.txt).
 * Excluded by necessity: the goroutine that wrote the dump (it moved on), and goroutines that were
 * running on another CPU (the runtime prints no stack for them; only presence is checked).
 * Wait minutes are a moment's reading: the core is taken a little after stack.txt was written, so a
 * header may carry the minutes of either stack.txt or crash.txt (the runtime's dump at the core's
 * own moment, when the core came from SIGQUIT).
 */
import { describe, expect, it } from 'vitest';
import { openModel } from '../../src/runtime/open-model.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { readSampleText, listSampleBuilds, sampleName, samplePath, hasSampleFile } from '../support/samples.ts';
import { compareDumps, minutesOf, parseDump, withMinutes } from '../support/traceback-text.ts';

const builds = listSampleBuilds();
const cores = builds.flatMap((b) => (['core', 'gcore'] as const).filter((k) => hasSampleFile(b, k)).map((kind) => ({ b, kind })));

describe('stacks report equals the runtime own dump', () => {
  it('has samples for every promised Go release', () => {
    const versions = new Set(builds.map((b) => b.go));
    for (const v of ['go1.15', 'go1.19', 'go1.21', 'go1.22', 'go1.23', 'go1.24', 'go1.26', 'go1.27']) {
      expect(versions, `missing samples for ${v}`).toContain(v);
    }
  });

  // Each core twice: with the binary's DWARF, and with the built-in layout tables only (the path a
  // binary without DWARF takes), which must give the same text.
  const modes = [{ ignoreDwarf: false }, { ignoreDwarf: true }];
  it.each(
    cores.flatMap(({ b, kind }) =>
      modes.map((m) => [`${sampleName(b)} ${kind}${m.ignoreDwarf ? ' (layout tables)' : ''}`, b, kind, m.ignoreDwarf] as const),
    ),
  )('%s', async (_name, b, kind, ignoreDwarf) => {
    const model = await openModel(await samplePath(b, kind), { exe: await samplePath(b, 'exe'), ignoreDwarf });
    expect(model.goVersion).toBe(b.meta['goVersion']);
    if (ignoreDwarf) expect(model.provenance.layouts).toMatch(/built-in layout for go1\./);
    const ours = parseDump([...formatTraceback(model, { all: false })].join(''));
    const oracle = parseDump(readSampleText(b, 'stack.txt') ?? '');
    const crash = readSampleText(b, 'crash.txt');
    const atCore = new Map((crash === undefined ? [] : parseDump(crash)).map((x) => [x.id, minutesOf(x.header)]));
    expect(oracle.length).toBeGreaterThan(0);
    const { mismatches, compared } = compareDumps(oracle, ours, {
      skip: oracle[0]!, // the writer
      elsewhereMustBeBusy: true,
      alsoAccept: (want) => withMinutes(want.text, atCore.get(want.id)),
    });
    expect(compared).toBeGreaterThan(0);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
  });
});

