/**
 * Issue 14 items 1–2, as a user would do it: `npm pack` the repository (prepack builds dist/),
 * install the tarball globally into an empty prefix without install scripts (so koffi has to work
 * from its prebuilt package alone), and run the installed `gospy` with the system's PATH (no
 * project node_modules/.bin on it): --version, --help, `analyze` on a committed sample core — the
 * same summary as the clone prints — and `capture` of a running sample, whose snapshot analyzes to
 * the program's own runtime.Stack dump. Then the same summary through `npx ./gospy-*.tgz` and with
 * Node 22 (the npm registry's `node@22`). Needs ptrace (CI runs as root) and the npm registry.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureAgainstRuntime, CLI_DIR, REPO, run, runOk, userEnv } from '../support/packaging.ts';
import { findSample, requirePtrace } from '../support/live-target.ts';

const NODE_DIR = path.dirname(process.execPath);
const states = findSample('states', 'go1.27', 'static');
const core = path.join(states.dir, 'core.xz');
const exe = path.join(states.dir, 'exe.xz');
const MAX_PACKED = 5 * 1024 * 1024;

let work: string;
let prefix: string;
let tarball: string;
let packedSize: number;
let cloneSummary: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-package-'));
  prefix = path.join(work, 'prefix');
  const env = userEnv([NODE_DIR]);
  const packed = await runOk('npm', ['pack', '--json', '--pack-destination', work], { env, cwd: REPO });
  const info = (JSON.parse(packed.stdout) as { filename: string; size: number }[])[0]!;
  tarball = path.join(work, info.filename);
  packedSize = info.size;
  await runOk('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', tarball], { env, cwd: work });
  const clone = await runOk(process.execPath, [path.join(CLI_DIR, 'gospy.mjs'), 'analyze', core, '--exe', exe], { env, cwd: work });
  cloneSummary = clone.stdout;
});
afterAll(() => {
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

/** The installed gospy, found through PATH like a user's shell finds it. */
const installed = (args: string[], nodeDir = NODE_DIR) => run('gospy', args, { env: userEnv([path.join(prefix, 'bin'), nodeDir]), cwd: work });

describe('npm package', () => {
  it('is small and ships only the build and docs', async () => {
    expect(packedSize).toBeLessThan(MAX_PACKED);
    const list = await runOk('tar', ['-tzf', tarball], { env: userEnv([]), cwd: work });
    const files = list.stdout.trim().split('\n');
    expect(files).toContain('package/dist/gospy.mjs');
    expect(files).toContain('package/dist/copy-worker.mjs');
    const outside = files.filter((f) => !/^package\/(dist\/|docs\/[\w-]+\.md$|README\.md$|package\.json$)/.test(f));
    expect(outside).toEqual([]);
    // Plain JavaScript only: Node refuses type stripping under node_modules.
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('installs a gospy that starts: --version and --help', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const v = await installed(['--version']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain(pkg.version);
    const h = await installed(['--help']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/gospy analyze/);
  });

  it('analyze prints the same summary as the clone', async () => {
    const r = await installed(['analyze', core, '--exe', exe]);
    expect(r.code, r.stderr).toBe(0);
    expect(cloneSummary).toMatch(/goroutines: \d+/);
    expect(r.stdout).toBe(cloneSummary);
  });

  it('captures a running sample (koffi from its prebuilt package, no install script)', async () => {
    requirePtrace();
    const { mismatches, compared } = await captureAgainstRuntime(installed, states, path.join(work, 'states.gsz'));
    expect(compared).toBeGreaterThan(20);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
  });

  it('npx ./gospy-*.tgz analyze prints the same summary', async () => {
    const r = await run('npx', ['-y', `./${path.basename(tarball)}`, 'analyze', core, '--exe', exe], { env: userEnv([NODE_DIR]), cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(cloneSummary);
  });

  it('runs on Node 22 (npm registry node@22): --version and the same summary', async () => {
    const which = await runOk('npx', ['-y', '-p', 'node@22', '--', 'node', '-p', 'process.execPath + " " + process.version'], {
      env: userEnv([NODE_DIR]),
      cwd: work,
    });
    const [node22, version] = which.stdout.trim().split(' ') as [string, string];
    const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];
    expect(major).toBe(22);
    expect(minor).toBeGreaterThanOrEqual(20);
    const v = await installed(['--version'], path.dirname(node22));
    expect(v.code, v.stderr).toBe(0);
    const r = await installed(['analyze', core, '--exe', exe], path.dirname(node22));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(cloneSummary);
  });
});
