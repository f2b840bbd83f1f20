/**
 * For the packaging tests (test/package/): run commands the way a user's shell would, with the
 * system's PATH minus every project `node_modules/.bin` (so nothing of the clone leaks in) plus the
 * directories a test names (the install prefix's bin, a Node binary's folder).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startGoSample } from './live-target.ts';
import type { SampleBuild } from './samples.ts';
import { compareDumps, parseDump } from './traceback-text.ts';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export { CLI_DIR } from '../../build/build.ts';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The PATH this process got, without node_modules/.bin folders (npm and vitest put them first). */
export function systemPath(): string[] {
  return (process.env['PATH'] ?? '/usr/bin:/bin').split(':').filter((d) => d !== '' && !d.split(path.sep).includes('node_modules'));
}

/** An environment whose PATH is `first` then the system PATH; npm_* variables of an outer npm run removed. */
export function userEnv(first: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('npm_') && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, ...extra, PATH: [...first, ...systemPath()].join(':') };
}

export function run(cmd: string, args: readonly string[], opts: { env: Record<string, string>; cwd: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Throws with the command's stderr unless it exited 0. */
export async function runOk(cmd: string, args: readonly string[], opts: { env: Record<string, string>; cwd: string }): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}\n${r.stderr}`);
  return r;
}

/**
 * `gospy capture` of a running `sample` into `snap` and `gospy analyze snap --report stacks`, both
 * through `gospy` (an installed package, the single executable…), compared with the program's own
 * runtime.Stack dump. Throws with stderr when either command fails; the target never outlives it.
 */
export async function captureAgainstRuntime(
  gospy: (args: string[]) => Promise<RunResult>,
  sample: SampleBuild,
  snap: string,
): Promise<{ readonly compared: number; readonly mismatches: readonly string[] }> {
  const ok = async (args: string[]): Promise<RunResult> => {
    const r = await gospy(args);
    if (r.code !== 0) throw new Error(`gospy ${args.join(' ')} exited ${r.code ?? r.signal}\n${r.stderr}`);
    return r;
  };
  const target = await startGoSample(sample);
  try {
    await ok(['capture', '--pid', String(target.pid), '-o', snap]);
    const an = await ok(['analyze', snap, '--report', 'stacks']);
    const oracle = parseDump(fs.readFileSync(target.stackPath, 'utf8'));
    return compareDumps(oracle, parseDump(an.stdout), { skip: oracle[0]!, elsewhereMustBeBusy: true });
  } finally {
    await target.kill();
  }
}
