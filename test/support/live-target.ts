/**
 * Live processes for the capture tests: a committed Go sample started for real (it writes its own
 * runtime.Stack dump to GOSPY_STACK_OUT and prints READY), or any other command. Targets are direct
 * children of the test process, so they are reaped when killed; call kill() in afterAll/finally.
 *
 * Capture tests need ptrace. They never skip: `requirePtrace()` throws a message that says why the
 * environment cannot run them (CI runs as root with ptrace allowed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listSampleBuilds, samplePath, type SampleBuild } from './samples.ts';

export const NODE = process.execPath;
export const GOSPY = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'analyze', 'gospy.mjs');

export interface LiveTarget {
  readonly pid: number;
  readonly dir: string;
  /** GOSPY_STACK_OUT of a Go sample ('' for other commands). */
  readonly stackPath: string;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

export function findSample(program: string, go: string, variant: string): SampleBuild {
  const b = listSampleBuilds().find((x) => x.program === program && x.go === go && x.variant === variant);
  if (!b) throw new Error(`sample ${program}/${go}-*-${variant} is missing`);
  return b;
}

/** Throws (never skips) when this environment cannot ptrace other processes. */
export function requirePtrace(): void {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const eff = /CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0';
  const cap = (BigInt(`0x${eff}`) & (1n << 19n)) !== 0n;
  let scope: string | undefined;
  try {
    scope = fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim();
  } catch {
    scope = undefined;
  }
  if (!cap) {
    throw new Error(
      `capture tests need ptrace: this process (uid ${process.getuid?.()}) lacks CAP_SYS_PTRACE` +
        `${scope === undefined ? '' : ` (yama ptrace_scope ${scope})`}; run them as root with ptrace allowed, as CI does`,
    );
  }
  if (scope === '3') throw new Error('capture tests need ptrace: kernel.yama.ptrace_scope is 3 (no tracing at all)');
}

/** Starts a Go sample with GOSPY_STACK_OUT in a temp dir and waits for READY. */
export async function startGoSample(build: SampleBuild, env: Record<string, string> = {}): Promise<LiveTarget> {
  const exe = await samplePath(build, 'exe');
  fs.chmodSync(exe, 0o755);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-capture-'));
  const stackPath = path.join(dir, 'stack.txt');
  return start(exe, [], dir, stackPath, { GOMAXPROCS: '2', GOSPY_STACK_OUT: stackPath, ...env }, 'READY');
}

/**
 * For a describe block whose tests share one running sample: checks ptrace and starts `build`
 * before its tests, kills it after them. The returned target stands for the running process (its
 * fields are readable once the tests run).
 */
export function useGoSample(build: SampleBuild): LiveTarget {
  let started: LiveTarget | undefined;
  beforeAll(async () => {
    requirePtrace();
    started = await startGoSample(build);
  });
  afterAll(async () => {
    await started?.kill();
  });
  const running = (): LiveTarget => {
    if (started === undefined) throw new Error(`sample ${build.program} is not running (read the target inside a test, after beforeAll)`);
    return started;
  };
  return {
    get pid() {
      return running().pid;
    },
    get dir() {
      return running().dir;
    },
    get stackPath() {
      return running().stackPath;
    },
    get child() {
      return running().child;
    },
    kill: () => running().kill(),
  };
}

/** Starts any command (e.g. `sleep 100`) in a temp dir. */
export async function startCommand(cmd: string, args: string[]): Promise<LiveTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-capture-'));
  return start(cmd, args, dir, '', {}, undefined);
}

async function start(cmd: string, args: string[], dir: string, stackPath: string, env: Record<string, string>, ready: string | undefined): Promise<LiveTarget> {
  const child = spawn(cmd, args, { cwd: dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  if (ready !== undefined) {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd} did not print ${ready} within 60 s; stderr: ${err}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(ready)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code, sig) => {
          clearTimeout(timer);
          reject(new Error(`${cmd} exited (${code ?? sig}) before ${ready}; stderr: ${err}`));
        });
      });
    } catch (e) {
      await kill();
      throw e;
    }
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  return { pid: child.pid, dir, stackPath, child, kill };
}

/** State letters of every thread of pid (task/TID/stat field 3). */
export function threadStates(pid: number): string[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      out.push(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
    } catch {
      // thread ended meanwhile
    }
  }
  return out;
}

export function tracerPid(pid: number): number {
  const m = /TracerPid:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** utime+stime of the process in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (up to `ms`) until no thread of pid is stopped ('T') or traced ('t') and no tracer is
 * attached; returns the last states seen. Right after a tracer dies the kernel detaches at once,
 * but the threads need a moment of CPU to leave the trap.
 */
export async function waitRunning(pid: number, ms = 2000): Promise<{ states: string[]; tracer: number }> {
  const end = Date.now() + ms;
  for (;;) {
    const states = threadStates(pid);
    const tracer = tracerPid(pid);
    if ((tracer === 0 && !states.some((s) => s === 'T' || s === 't')) || Date.now() > end) return { states, tracer };
    await sleep(10);
  }
}

/** A pid that no process has now. */
export function unusedPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 32768;
  for (let p = max - 1; p > 1; p--) if (!fs.existsSync(`/proc/${p}`)) return p;
  throw new Error('no free pid');
}

/** Runs `gospy …` as a child process. */
export function runGospy(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [GOSPY, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
