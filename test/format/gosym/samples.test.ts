/**
 * Real-data check: for every sample build, the runtime's own runtime.Stack dump (stack.txt) must be
 * reproduced frame by frame: funcByName(name).entry + 0xNN − 1 → the printed file:line, and inlined frames
 * (lines without +0x) by inlineFrames() at that pc. Fails loudly when no samples exist.
 * Root: samples/builds (override with GOSPY_SAMPLES_DIR=<dir> for ad-hoc builds).
 */
import { describe, expect, it } from 'vitest';
import { FUNC_FLAG_TOPFRAME, PclnTable } from '../../../src/format/gosym/index.ts';
import { openExe, pclnFromElf } from '../../support/exe.ts';
import { SAMPLES_DIR, listSampleBuilds, readSampleText, sampleName, samplePath } from '../../support/samples.ts';
import { checkStack } from './stack-check.ts';

const ROOT = SAMPLES_DIR;

interface Build { name: string; dir: string; minor: number; exe: string; stack: string }

async function listBuilds(): Promise<Build[]> {
  const out: Build[] = [];
  for (const b of listSampleBuilds()) {
    const stack = readSampleText(b, 'stack.txt');
    if (stack === undefined) throw new Error(`${b.dir} has no stack.txt oracle`);
    out.push({ name: sampleName(b), dir: b.dir, minor: Number(b.go.split('.')[1]), exe: await samplePath(b, 'exe'), stack });
  }
  return out;
}

const builds = await listBuilds();

describe('gosym against runtime.Stack of sample builds', () => {
  it(`has sample builds with exe(.xz) and stack.txt under ${ROOT}`, () => {
    expect(builds.length, 'no sample builds found: run `bash samples/build.sh`').toBeGreaterThan(0);
  });

  for (const withMinor of [true, false]) {
    it.each(builds.map((b) => [b.name, b] as const))(`%s (${withMinor ? 'goMinor given' : 'goMinor probed'})`, (_n, b) => {
      const { data, ctx } = pclnFromElf(openExe(b.exe), withMinor ? b.minor : undefined);
      const table = PclnTable.parse(data, ctx);
      const res = checkStack(table, b.stack);
      expect(res.mismatches).toEqual([]);
      expect(res.physical).toBeGreaterThan(0);
      if (withMinor) expect(table.goMinor).toBe(b.minor);
      // funcID numbering: every special id named after a runtime function must be carried by that function
      const wrong: string[] = [];
      let seen = 0;
      for (let id = 1; id < 40; id++) {
        const sp = table.specialName(id);
        if (sp === undefined || sp === 'wrapper') continue;
        const fname = sp === 'runtime_main' ? 'runtime.main' : `runtime.${sp}`;
        const f = table.funcByName(fname);
        if (!f) continue;
        seen++;
        if (f.special !== sp) wrong.push(`${fname}: funcID ${f.funcID} → ${f.special}, want ${sp}`);
      }
      expect(wrong).toEqual([]);
      expect(seen).toBeGreaterThan(8);
      const goexit = table.funcByName('runtime.goexit')!;
      expect(goexit.flag & FUNC_FLAG_TOPFRAME).toBe(FUNC_FLAG_TOPFRAME);
      // a name shared by an ABI wrapper and the wrapped function resolves to the non-wrapper
      for (const f of table.allFuncs()) {
        const all = table.funcsByName(f.name);
        if (all.length > 1 && all.some((x) => x.special !== 'wrapper')) expect(table.funcByName(f.name)!.special).not.toBe('wrapper');
      }
    });
  }
});
