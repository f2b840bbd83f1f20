/**
 * The capture must never hurt its target (issue 3, "Safety"): gospy SIGKILLed at random moments, the
 * target exiting mid-capture, a target already stopped with SIGSTOP, and the clear one-line errors for
 * a pid that does not exist, a process that is not Go, and a capture that is not permitted.
 *
 * Runs for real with ptrace (CI runs as root); never skips. The kill loop runs GOSPY_KILL_RUNS times
 * (default 20); the acceptance run is 100:
 *     GOSPY_KILL_RUNS=100 PATH=$PWD/node_modules/.bin:$PATH vitest run test/capture/safety.test.ts
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../capture/capture.ts';
import { withFrozenProcess } from '../../capture/freeze.ts';
import {
  cpuTicks,
  findSample,
  GOSPY,
  NODE,
  requirePtrace,
  runGospy,
  sleep,
  startCommand,
  startGoSample,
  threadStates,
  tracerPid,
  unusedPid,
  waitRunning,
  type LiveTarget,
} from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');
const KILL_RUNS = Number(process.env['GOSPY_KILL_RUNS'] ?? '20');
const HOLD_MS = 300;

/** Waits until `tracer` traces pid (the freeze has begun); false if it did not within `ms`. */
async function waitTracedBy(pid: number, tracer: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (tracerPid(pid) === tracer) return true;
    await sleep(1);
  }
  return false;
}

function spawnCapture(pid: number, out: string, env: Record<string, string> = {}) {
  const child = spawn(NODE, [GOSPY, 'capture', '--pid', String(pid), '-o', out], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, closed };
}

describe('capture safety', () => {
  let target: LiveTarget;
  const dirs: string[] = [];
  beforeAll(async () => {
    requirePtrace();
    target = await startGoSample(build);
  });
  afterAll(async () => {
    await target?.kill();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it(`gospy SIGKILLed at random moments (${KILL_RUNS}×): the target always runs on`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-kill-'));
    dirs.push(dir);
    // How long a whole capture takes here, to spread the kills over it.
    const t0 = Date.now();
    const full = await runGospy(['capture', '--pid', String(target.pid), '-o', path.join(dir, 'full.gsz')]);
    expect(full.code, full.stderr).toBe(0);
    const duration = Date.now() - t0;
    let inFreeze = 0;
    for (let i = 0; i < KILL_RUNS; i++) {
      const out = path.join(dir, `k${i}.gsz`);
      // Even runs hold the freeze (test hook) and are killed while the target is stopped; odd runs are
      // killed at a uniformly random moment of an ordinary capture (start-up, freeze, compression, write).
      const held = i % 2 === 0;
      const { child, closed } = spawnCapture(target.pid, out, held ? { GOSPY_TEST_HOLD_MS: String(HOLD_MS) } : {});
      if (held) {
        const traced = await waitTracedBy(target.pid, child.pid!, 20_000);
        expect(traced, `run ${i}: the capture never attached`).toBe(true);
        inFreeze++;
        await sleep(Math.random() * HOLD_MS);
      } else {
        await sleep(Math.random() * duration * 1.1);
      }
      child.kill('SIGKILL');
      await closed;
      const { states, tracer } = await waitRunning(target.pid, 3000);
      expect(tracer, `run ${i}: still traced`).toBe(0);
      expect(states.filter((s) => s === 'T' || s === 't'), `run ${i}: threads stopped: ${states.join('')}`).toEqual([]);
    }
    expect(inFreeze).toBeGreaterThan(0);
    // …and it still computes: its spinning goroutines burn CPU.
    const before = cpuTicks(target.pid);
    await sleep(300);
    expect(cpuTicks(target.pid)).toBeGreaterThan(before);
  }, 600_000);

  it('a target that exits mid-capture: clear error, no file left', async () => {
    const victim = await startGoSample(build);
    try {
      const out = path.join(victim.dir, 'gone.gsz');
      const { child, closed } = spawnCapture(victim.pid, out, { GOSPY_TEST_HOLD_MS: '2000' });
      expect(await waitTracedBy(victim.pid, child.pid!, 20_000)).toBe(true);
      process.kill(victim.pid, 'SIGKILL');
      const r = await closed;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^gospy: process ${victim.pid} exited during the capture; no snapshot was written\nhint: `));
      expect(fs.readdirSync(victim.dir).filter((f) => f.includes('gone'))).toEqual([]);
    } finally {
      await victim.kill();
    }
  });

  it('a target stopped with SIGSTOP stays stopped, and resumes with SIGCONT', async () => {
    const stopped = await startGoSample(build);
    try {
      process.kill(stopped.pid, 'SIGSTOP');
      const end = Date.now() + 5000;
      while (!threadStates(stopped.pid).every((s) => s === 'T') && Date.now() < end) await sleep(5);
      expect(threadStates(stopped.pid).every((s) => s === 'T')).toBe(true);
      const r = capture({ pid: stopped.pid });
      expect(r.stats.wasStopped).toBe(true);
      expect(r.data.threads.every((t) => t.stopped && t.regs.length > 0 && t.state === 'T')).toBe(true);
      expect(r.stats.copiedBytes).toBeGreaterThan(1 << 20);
      await sleep(200);
      expect(tracerPid(stopped.pid)).toBe(0);
      expect(threadStates(stopped.pid).every((s) => s === 'T')).toBe(true);
      // Also through the CLI.
      const cli = await runGospy(['capture', '--pid', String(stopped.pid), '-o', path.join(stopped.dir, 's.gsz')]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stderr).toMatch(/stays stopped/);
      await sleep(100);
      expect(threadStates(stopped.pid).every((s) => s === 'T')).toBe(true);
      process.kill(stopped.pid, 'SIGCONT');
      const { states, tracer } = await waitRunning(stopped.pid);
      expect(tracer).toBe(0);
      expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
    } finally {
      await stopped.kill();
    }
  });

  it('a target creating and ending threads constantly: the freeze converges and detaches everything', async () => {
    // Node worker threads are OS threads: a new one every millisecond, each living ~5 ms.
    const churn = await startCommand(NODE, [
      '-e',
      "const { Worker } = require('node:worker_threads'); setInterval(() => new Worker('setTimeout(() => {}, 5)', { eval: true }), 1);",
    ]);
    try {
      await sleep(500);
      for (let i = 0; i < 15; i++) {
        const r = withFrozenProcess(churn.pid, {}, (threads) => {
          // While frozen, no thread can start: every task is one we stopped (or one that is exiting).
          const known = new Set(threads.map((t) => t.tid));
          return fs.readdirSync(`/proc/${churn.pid}/task`).map(Number).filter((tid) => !known.has(tid));
        });
        expect(r.value, `pass ${i}: threads appeared during the freeze`).toEqual([]);
        expect(r.threads.length).toBeGreaterThan(3);
        expect(r.threads.filter((t) => t.stopped).length).toBeGreaterThan(3);
        expect(r.threads.every((t) => !t.attached)).toBe(true);
        const { states, tracer } = await waitRunning(churn.pid);
        expect(tracer).toBe(0);
        expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
        await sleep(Math.random() * 50);
      }
    } finally {
      await churn.kill();
    }
  });

  it('a pid that does not exist: exit 1, one line and a hint', async () => {
    const pid = unusedPid();
    const r = await runGospy(['capture', '--pid', String(pid), '-o', path.join(os.tmpdir(), `gospy-none-${pid}.gsz`)]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`gospy: no process with pid ${pid}`);
    expect(lines.slice(1).every((l) => l.startsWith('hint: '))).toBe(true);
    expect(lines.length).toBe(2);
  });

  it('a process that is not Go: clear message, never stopped, no file', async () => {
    const sleeper = await startCommand('sleep', ['100']);
    try {
      const out = path.join(sleeper.dir, 'sleep.gsz');
      const r = await runGospy(['capture', '--pid', String(sleeper.pid), '-o', out]);
      expect(r.code).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^gospy: process ${sleeper.pid} \\(.*sleep\\) is not a Go program`));
      expect(lines[1]).toMatch(/^hint: /);
      expect(fs.existsSync(out)).toBe(false);
      expect(tracerPid(sleeper.pid)).toBe(0);
      expect(threadStates(sleeper.pid)).toEqual(['S']);
    } finally {
      await sleeper.kill();
    }
  });

  it('not permitted: names the cause and the fix', async () => {
    // Another tracer: a capture held in its freeze, and a second capture of the same process.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-perm-'));
    dirs.push(dir);
    // Held long enough for a second gospy to start and reach ptrace on a loaded machine (3 s was
    // not: at load 12 on 2 cores the second capture found the target free and succeeded).
    const first = spawnCapture(target.pid, path.join(dir, 'a.gsz'), { GOSPY_TEST_HOLD_MS: '10000' });
    try {
      expect(await waitTracedBy(target.pid, first.child.pid!, 20_000)).toBe(true);
      const second = await runGospy(['capture', '--pid', String(target.pid), '-o', path.join(dir, 'b.gsz')]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^gospy: not permitted to stop process ${target.pid} \\(EPERM\\): it is already traced by pid ${first.child.pid}`));
      expect(second.stderr).toMatch(/\nhint: .*detach that debugger/);
    } finally {
      const r = await first.closed;
      expect(r.code, r.stderr).toBe(0);
    }
    // No privilege: the same capture as user nobody (setpriv from util-linux). nobody keeps only
    // CAP_DAC_READ_SEARCH, so it can read the checkout wherever it lives (a 0700 temp dir in CI),
    // but not CAP_SYS_PTRACE.
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
    expect(setpriv, 'setpriv (util-linux) is needed to run gospy unprivileged').toBeDefined();
    fs.chmodSync(dir, 0o777);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        setpriv!,
        ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all,+dac_read_search', '--ambient-caps=+dac_read_search', NODE, GOSPY, 'capture', '--pid', String(target.pid), '-o', path.join(dir, 'c.gsz')],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.resume();
      child.once('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^gospy: not permitted to stop process ${target.pid} \\((EPERM|EACCES)\\): gospy is not root and lacks CAP_SYS_PTRACE`));
    expect(r.stderr).toMatch(/\nhint: .*root.*--cap-add SYS_PTRACE.*kubectl debug/);
    const { states, tracer } = await waitRunning(target.pid);
    expect(tracer).toBe(0);
    expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
  });
});
