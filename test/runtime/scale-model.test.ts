/**
 * The scaled goroutine model (issue 10) on the 10,500-goroutine `many` sample: stacks are interned
 * (far fewer stacks than goroutines, and goroutines parked at the same place share one), frames
 * read without arguments equal those with arguments apart from the argument text, and a heap that
 * would run out ends in ResourceLimitError, not in a V8 fatal error.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResourceLimitError } from '../../src/base/errors.ts';
import { openModel } from '../../src/runtime/open-model.ts';
import { listSampleBuilds, samplePath, REPO } from '../support/samples.ts';

const many = listSampleBuilds().find((b) => b.dir.endsWith('many/go1.27-amd64-static'))!;

describe('goroutine model at scale', () => {
  it('interns stacks: goroutines parked at the same place share one frame sequence', async () => {
    const model = await openModel(await samplePath(many, 'core'), { exe: await samplePath(many, 'exe') });
    expect(model.goroutines.length).toBeGreaterThan(10_000);
    const shared = new Set(model.goroutines.map((g) => g.sharedStack));
    expect(shared.has(undefined)).toBe(false);
    // 10,500 goroutines in 4 functions: a few dozen distinct stacks at most.
    expect(shared.size).toBeLessThan(100);
    // Same shared stack ⇒ same frames apart from argument words and stack addresses.
    const byStack = new Map<object, (typeof model.goroutines)[number]>();
    for (const g of model.goroutines) {
      const first = byStack.get(g.sharedStack!);
      if (first === undefined) {
        byStack.set(g.sharedStack!, g);
        continue;
      }
      const strip = (x: typeof g): unknown => x.frames.map((f) => [f.function, f.file, f.line, f.pc, f.inlined, f.visible, f.fp - f.sp]);
      expect(strip(g)).toEqual(strip(first));
    }
  });

  it('without argument reads, only the argument text differs', async () => {
    const exe = await samplePath(many, 'exe');
    const core = await samplePath(many, 'core');
    const full = await openModel(core, { exe });
    const bare = await openModel(core, { exe, frameArgs: false });
    expect(bare.goroutines.length).toBe(full.goroutines.length);
    let withArgs = 0;
    full.goroutines.forEach((g, i) => {
      const b = bare.goroutines[i]!;
      expect(b.id).toBe(g.id);
      expect(b.frames.map((f) => ({ ...f, args: f.inlined ? f.args : '' }))).toEqual(g.frames.map((f) => ({ ...f, args: f.inlined ? f.args : '' })));
      withArgs += g.frames.filter((f) => !f.inlined && f.args !== '').length;
    });
    expect(withArgs).toBeGreaterThan(10_000);
  });

  it('a heap that fills up is a ResourceLimitError with a hint, before V8 gives up', async () => {
    const exe = await samplePath(many, 'exe');
    const core = await samplePath(many, 'core');
    // A share of the heap limit no real walk fits in: the guard must stop the walk.
    const err = await analyzeFileWithFraction(core, exe, 1e-6).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect((err as ResourceLimitError).message).toMatch(/^not enough memory for \d[\d,]* goroutines: \d+ MB of Node's \d+ MB heap in use after \d/);
    expect((err as ResourceLimitError).hint).toMatch(/--max-old-space-size=\d+/);
  });

  it('the CLI under a small heap prints one gospy: line and exits 1, never a V8 fatal error', async () => {
    const exe = await samplePath(many, 'exe');
    const core = await samplePath(many, 'core');
    // 10,500 goroutines fit in a 48 MB old space, so the guard is lowered (GOSPY_HEAP_FRACTION) to
    // a share the walk cannot stay under: it must stop with one gospy: line.
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=48', path.join(REPO, 'analyze', 'gospy.mjs'), 'analyze', core, '--exe', exe, '--report', 'stacks'],
      { encoding: 'utf8', env: { ...process.env, GOSPY_HEAP_FRACTION: '0.05' }, maxBuffer: 1 << 28 },
    );
    expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory/);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('gospy:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gospy: not enough memory for/);
  });
});

async function analyzeFileWithFraction(core: string, exe: string, heapFraction: number): Promise<unknown> {
  const { openCore } = await import('../../src/memory/open-core.ts');
  const { coreTarget } = await import('../../src/runtime/target.ts');
  const { readProcess } = await import('../../src/runtime/process.ts');
  const c = await openCore(core, { exePath: exe });
  try {
    return readProcess(coreTarget(c, core, c.exeFoundBy), { heapFraction });
  } finally {
    c.close();
  }
}
