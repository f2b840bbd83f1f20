/**
 * Versions gospy does not know, and layouts that do not fit: warnings and degraded output, never a
 * crash. Real sample cores with their Go version deliberately misreported.
 */
import { describe, expect, it } from 'vitest';
import { openCore } from '../../src/memory/open-core.ts';
import { coreTarget } from '../../src/runtime/target.ts';
import { readProcess } from '../../src/runtime/process.ts';
import { isGospyError } from '../../src/base/errors.ts';
import { listSampleBuilds, samplePath } from '../support/samples.ts';

const b121 = listSampleBuilds().find((b) => b.dir.endsWith('states/go1.21-amd64-static'))!;
const b127 = listSampleBuilds().find((b) => b.dir.endsWith('states/go1.27-amd64-static'))!;

async function read(b: typeof b121, goVersion: string, ignoreDwarf: boolean) {
  const core = await openCore(await samplePath(b, 'core'), { exePath: await samplePath(b, 'exe') });
  try {
    return readProcess({ ...coreTarget(core, 'core', 'argument'), goVersion }, { ignoreDwarf });
  } finally {
    core.close();
  }
}

describe('unknown and misreported Go versions degrade', () => {
  it('a newer Go with DWARF: same goroutines, a warning', async () => {
    const real = await read(b127, 'go1.27.3', false);
    const newer = await read(b127, 'go1.29.1', false);
    expect(newer.warnings.map((w) => w.kind)).toContain('go-version-newer');
    expect(newer.goroutines.map((g) => [g.id, g.status, g.waitReason])).toEqual(real.goroutines.map((g) => [g.id, g.status, g.waitReason]));
  });

  it('a newer Go without DWARF: the nearest table, a warning', async () => {
    const m = await read(b127, 'go1.29.1', true);
    expect(m.warnings.map((w) => w.kind)).toContain('go-version-newer');
    expect(m.provenance.layouts).toBe('built-in layout for go1.27');
    expect(m.goroutines.length).toBeGreaterThan(20);
  });

  it('the wrong table for the binary: a warning that the layout does not fit, or a clear error', async () => {
    // go1.23's g layout has goid/status/waitreason 8 bytes later than go1.21's.
    try {
      const m = await read(b121, 'go1.23.5', true);
      expect(m.warnings.map((w) => w.kind)).toContain('layout-suspect');
    } catch (e) {
      expect(isGospyError(e), String(e)).toBe(true);
    }
  });
});
