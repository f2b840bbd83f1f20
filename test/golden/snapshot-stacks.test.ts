/**
 * A snapshot of a process state reads like a core of it: every sample core is converted to a .gsz
 * (test/support/core-to-snapshot.ts) and `--report stacks --all` of the snapshot must equal that of
 * the core, goroutine by goroutine. The converter's CLOCK_MONOTONIC reading is the core's estimated
 * "now", so wait minutes match too; a later reading moves them (exact clock, no estimate warning).
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/runtime/open-model.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { formatSummary } from '../../src/report/summary.ts';
import { openSnapshot, snapshotProcess } from '../../src/memory/snapshot-image.ts';
import { hasSampleFile, listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';
import { coreToCapture, coreToSnapshot } from '../support/core-to-snapshot.ts';
import { snapshotFromCapture } from '../../src/format/snapshot/reader.ts';
import { snapshotTarget } from '../../src/runtime/target.ts';
import { readProcess } from '../../src/runtime/process.ts';
import { GospyError, TruncatedError } from '../../src/base/errors.ts';
import { REPO } from '../support/samples.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-snapgold-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const builds = listSampleBuilds();
const cores = builds.flatMap((b) => (['core', 'gcore'] as const).filter((k) => hasSampleFile(b, k)).map((kind) => ({ b, kind })));

const text = (it: Iterable<string>): string => [...it].join('');

describe('snapshot of a core reads the same as the core', () => {
  it('has cores to convert', () => expect(cores.length).toBeGreaterThan(0));
  it.each(cores.map(({ b, kind }) => [`${sampleName(b)} ${kind}`, b, kind] as const))('%s', async (name, b, kind) => {
    const core = await samplePath(b, kind);
    const exe = await samplePath(b, 'exe');
    const fromCore = await openModel(core, { exe });
    expect(fromCore.clock).toBeDefined();
    const gsz = path.join(dir, `${name.replace(/\W+/g, '_')}.gsz`);
    await coreToSnapshot(core, exe, gsz, { monotonicNs: fromCore.clock!.nanotime });
    const fromSnap = await openModel(gsz);
    expect(fromSnap.goroutines.length).toBe(fromCore.goroutines.length);
    expect(fromSnap.goVersion).toBe(fromCore.goVersion);
    expect(text(formatTraceback(fromSnap, { all: true }))).toBe(text(formatTraceback(fromCore, { all: true })));
    expect(text(formatTraceback(fromSnap, { all: false }))).toBe(text(formatTraceback(fromCore, { all: false })));
    expect(fromSnap.clock).toMatchObject({ nanotime: fromCore.clock!.nanotime, estimated: false });
    // Kernel thread states from the snapshot appear in the summary.
    expect(text(formatSummary(fromSnap, { all: false }))).toMatch(/; kernel state (R|S) \d+/);
  });

  it('wait minutes follow the recorded monotonic clock; only the chunks touched are decompressed', async () => {
    const b = builds.find((x) => x.program === 'many' && x.go === 'go1.27') ?? builds[0]!;
    const core = await samplePath(b, 'core');
    const exe = await samplePath(b, 'exe');
    const fromCore = await openModel(core, { exe });
    const later = fromCore.clock!.nanotime + 7 * 60e9;
    const gsz = path.join(dir, 'later.gsz');
    await coreToSnapshot(core, exe, gsz, { monotonicNs: later, codec: 'xz' });
    const snap = openSnapshot(gsz);
    try {
      const model = readProcess(snapshotTarget(snapshotProcess(snap), gsz), {});
      const chunks = snap.memoryChunks.length;
      expect(snap.stats.decompressions).toBeGreaterThan(0);
      expect(snap.stats.decompressions).toBeLessThan(chunks);
      const minutes = (m: typeof model): Map<number, number> =>
        new Map(m.goroutines.filter((g) => g.waitMinutes !== undefined).map((g) => [g.id, g.waitMinutes!]));
      const before = minutes(fromCore);
      const after = minutes(model);
      expect(after.size).toBeGreaterThan(0);
      expect(after.size).toBeGreaterThanOrEqual(before.size);
      for (const [id, m] of before) expect(after.get(id), `goroutine ${id}`).toBeGreaterThanOrEqual(m + 6);
      expect(model.warnings.some((w) => /estimat/i.test(w.message))).toBe(false);
    } finally {
      snap.close();
    }
  });

  it('`gospy analyze snap.gsz` prints what `gospy analyze core` prints, without the executable', async () => {
    const b = builds.find((x) => x.program === 'states' && x.go === 'go1.27' && x.variant === 'pie') ?? builds[0]!;
    const core = await samplePath(b, 'core');
    const exe = await samplePath(b, 'exe');
    const fromCore = await openModel(core, { exe });
    const gsz = path.join(dir, 'cli.gsz');
    await coreToSnapshot(core, exe, gsz, { monotonicNs: fromCore.clock!.nanotime });
    const gospy = path.join(REPO, 'analyze', 'gospy.mjs');
    const run = (args: string[]) => spawnSync(process.execPath, [gospy, 'analyze', ...args], { encoding: 'utf8', timeout: 60_000 });
    const a = run(['--report', 'stacks', '--exe', exe, core]);
    const s = run(['--report', 'stacks', gsz]);
    expect(a.status, a.stderr).toBe(0);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toBe(a.stdout);
    const summary = run([gsz]);
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/from the snapshot/);
    expect(summary.stdout).toMatch(/kernel state S \d+, R 1/);
  });

  it('a damaged real snapshot gives one GospyError (or a result when the damage is never read), never a crash', async () => {
    const b = builds.find((x) => x.program === 'states' && x.go === 'go1.27' && x.variant === 'static') ?? builds[0]!;
    const gsz = path.join(dir, 'damaged-base.gsz');
    await coreToSnapshot(await samplePath(b, 'core'), await samplePath(b, 'exe'), gsz, { chunkSize: 64 << 10 });
    const good = fs.readFileSync(gsz);
    const snap = openSnapshot(gsz);
    const chunks = [...snap.memoryChunks, ...snap.exeChunks];
    snap.close();
    let failed = 0;
    for (let i = 0; i < chunks.length; i += Math.max(1, Math.floor(chunks.length / 25))) {
      const c = chunks[i]!;
      const bad = Buffer.from(good);
      bad[c.fileOffset + Math.floor(c.storedLength / 2)] ^= 0x5a;
      const p = path.join(dir, `damaged-${i}.gsz`);
      fs.writeFileSync(p, bad);
      try {
        await openModel(p);
      } catch (e) {
        expect(e, `chunk #${c.index}`).toBeInstanceOf(GospyError);
        expect((e as Error).message).toMatch(new RegExp(`chunk #${c.index}\\b`));
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(0);
    for (const n of [5, 10, 63, 64, 5000, Math.floor(good.length / 2), good.length - 1]) {
      const p = path.join(dir, `cut-${n}.gsz`);
      fs.writeFileSync(p, good.subarray(0, n));
      await expect(openModel(p), `cut at ${n}`).rejects.toBeInstanceOf(TruncatedError);
    }
  });

  it('an in-memory capture (live reports, no file) reads the same; partial and nonblocking captures are flagged', async () => {
    const b = builds.find((x) => x.program === 'states' && x.go === 'go1.27' && x.variant === 'static') ?? builds[0]!;
    const core = await samplePath(b, 'core');
    const exe = await samplePath(b, 'exe');
    const fromCore = await openModel(core, { exe });
    const data = await coreToCapture(core, exe, { monotonicNs: fromCore.clock!.nanotime });
    const live = readProcess(snapshotTarget(snapshotProcess(snapshotFromCapture(data)), 'live'), {});
    expect(text(formatTraceback(live, { all: true }))).toBe(text(formatTraceback(fromCore, { all: true })));
    const flagged = { ...data, meta: { ...data.meta, partial: true, unstoppedThreads: [99999], nonblocking: true } };
    const kinds = readProcess(snapshotTarget(snapshotProcess(snapshotFromCapture(flagged)), 'live'), {}).warnings.map((w) => w.kind);
    expect(kinds).toContain('snapshot-partial');
    expect(kinds).toContain('snapshot-nonblocking');
  });
});
