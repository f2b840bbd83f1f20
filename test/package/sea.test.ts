/**
 * Issue 14 item 4: the single executable (build/sea.ts) for this machine's arch, run with no `node`
 * on PATH (PATH is a missing folder) against a running sample: capture, then analyze the snapshot,
 * which must print each goroutine as the program's own runtime.Stack dump did. The native addons
 * come out of the executable into a 0700 cache dir. Needs ptrace (CI runs as root) and the npm
 * registry (node-linux-<arch>, the addons' prebuilt packages, postject).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSea } from '../../build/sea.ts';
import { captureAgainstRuntime, run } from '../support/packaging.ts';
import { findSample, requirePtrace } from '../support/live-target.ts';

const states = findSample('states', 'go1.27', 'static');
let exe: string;
let home: string;

beforeAll(async () => {
  exe = await buildSea(process.arch === 'arm64' ? 'arm64' : 'x64');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-sea-home-'));
}, 600_000);
afterAll(() => {
  if (home !== undefined) fs.rmSync(home, { recursive: true, force: true });
});

/** No node anywhere: an empty environment whose PATH names a folder that does not exist. */
const sea = (args: string[]) => run(exe, args, { env: { PATH: path.join(home, 'no-such-dir'), HOME: home }, cwd: home });

describe('single executable', () => {
  it('--version says it is the single executable', async () => {
    const r = await sea(['--version']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toContain(pkg.version);
  });

  it('captures a running sample and analyzes the snapshot, without node on PATH', async () => {
    requirePtrace();
    const { mismatches, compared } = await captureAgainstRuntime(sea, states, path.join(home, 'states.gsz'));
    expect(compared).toBeGreaterThan(20);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
    const native = path.join(home, '.cache', 'gospy', 'native');
    expect(fs.statSync(native).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(native).filter((f) => f.endsWith('.node')).map((f) => f.replace(/^[0-9a-f]+-/, '')).sort()).toEqual(['koffi.node', 'lzma.node']);
  });
});
