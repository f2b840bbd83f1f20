/**
 * Real-data check: for every sample build, the runtime's own runtime.Stack dump (stack.txt) must be
 * reproduced frame by frame: funcByName(name).entry + 0xNN − 1 → the printed file:line, and inlined frames
 * (lines without +0x) by inlineFrames() at that pc. Fails loudly when no samples exist.
 * Root: samples/builds (override with GOSPY_GOSYM_SAMPLES=<dir> for ad-hoc builds).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xz } from '@napi-rs/lzma';
import { FUNC_FLAG_TOPFRAME, PclnTable } from '../../../src/format/gosym/index.ts';
import { openElf, pclnFromElf } from './elf-min.ts';
import { checkStack } from './stack-check.ts';

const ROOT = process.env['GOSPY_GOSYM_SAMPLES'] ?? join(import.meta.dirname, '../../../samples/builds');

interface Build { name: string; dir: string; minor: number; exe: string }

function listBuilds(): Build[] {
  const out: Build[] = [];
  if (!existsSync(ROOT)) return out;
  for (const prog of readdirSync(ROOT, { withFileTypes: true })) {
    if (!prog.isDirectory()) continue;
    for (const b of readdirSync(join(ROOT, prog.name), { withFileTypes: true })) {
      const m = /^go1\.(\d+)-/.exec(b.name);
      if (!b.isDirectory() || !m) continue;
      const dir = join(ROOT, prog.name, b.name);
      const exe = ['exe.xz', 'exe'].map((f) => join(dir, f)).find((f) => existsSync(f));
      if (!exe || !existsSync(join(dir, 'stack.txt'))) continue;
      out.push({ name: `${prog.name}/${b.name}`, dir, minor: Number(m[1]), exe });
    }
  }
  return out;
}

const builds = listBuilds();

describe('gosym against runtime.Stack of sample builds', () => {
  it(`has sample builds with exe(.xz) and stack.txt under ${ROOT}`, () => {
    expect(builds.length, 'no sample builds found: run `bash samples/build.sh`').toBeGreaterThan(0);
  });

  for (const withMinor of [true, false]) {
    it.each(builds.map((b) => [b.name, b] as const))(`%s (${withMinor ? 'goMinor given' : 'goMinor probed'})`, (_n, b) => {
      const raw = readFileSync(b.exe);
      const bytes = b.exe.endsWith('.xz') ? new Uint8Array(xz.decompressSync(raw)) : new Uint8Array(raw);
      const { data, ctx } = pclnFromElf(openElf(bytes), withMinor ? b.minor : undefined);
      const table = PclnTable.parse(data, ctx);
      const res = checkStack(table, readFileSync(join(b.dir, 'stack.txt'), 'utf8'));
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
