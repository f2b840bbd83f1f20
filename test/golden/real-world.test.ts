/**
 * Go programs nobody here wrote, built by someone else's release process: esbuild's official
 * linux-x64 binaries from the npm registry (stripped, -trimpath, no DWARF, no symbols; dev
 * dependencies of this project, one per Go release they were built with — which also covers the
 * releases Debian ships no toolchain for: 1.16, 1.17, 1.18, 1.20 and 1.25). The test starts it as a server, makes the kernel write a core with
 * GOTRACEBACK=crash + SIGQUIT, and compares `--report stacks --all` with the crash dump the runtime
 * printed at that moment. It needs core dumps to land in the working directory (core_pattern
 * "core", as on this project's machines): otherwise it fails and says so.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openModel } from '../../src/runtime/open-model.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import { REPO } from '../support/samples.ts';
import { compareDumps, normalizeCrashDump, parseDump } from '../support/traceback-text.ts';

/** package (as named in package.json) → the Go release its binary was built with. */
const BINARIES: readonly (readonly [string, string])[] = [
  ['esbuild-go116', 'go1.16.3'],
  ['esbuild-go117', 'go1.17.5'],
  ['esbuild-go118', 'go1.18'],
  ['esbuild-go119', 'go1.19.3'],
  ['esbuild-go120', 'go1.20.4'],
  ['esbuild-go125', 'go1.25.4'],
  ['@esbuild/linux-x64', 'go1.26.5'],
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`esbuild did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('real-world stripped release binaries (esbuild from npm)', () => {
  it.each(BINARIES)('%s (%s): --report stacks --all equals the runtime crash dump of the same moment', async (pkg, goVersion) => {
    const ESBUILD = path.join(REPO, 'node_modules', ...pkg.split('/'), 'bin', 'esbuild');
    expect(fs.existsSync(ESBUILD), `${ESBUILD} missing: run npm ci`).toBe(true);
    const pattern = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
    expect(pattern, `core dumps go to "${pattern}", not to a file named core in the working directory`).toBe('core');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-esbuild-'));
    fs.mkdirSync(path.join(dir, 'www'));
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'hello\n');
    const port = await freePort();
    // esbuild serves until its stdin closes: keep a pipe open. ulimit lets the kernel write the core.
    const child = spawn('sh', ['-c', `ulimit -c unlimited; exec "${ESBUILD}" --servedir=www --serve=127.0.0.1:${port}`], {
      cwd: dir,
      env: { ...process.env, GOTRACEBACK: 'crash' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await waitForPort(port, 20_000);
      await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      child.kill('SIGQUIT');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const core = path.join(dir, 'core');
    expect(fs.existsSync(core), `no core was written (stderr: ${stderr.slice(0, 200)})`).toBe(true);

    const model = await openModel(core, { exe: ESBUILD });
    expect(model.provenance.symbols).toBe('recovered from code');
    expect(model.provenance.layouts).toMatch(/^built-in layout for go1\./);
    const oracle = parseDump(normalizeCrashDump(stderr));
    expect(oracle.length).toBeGreaterThan(3);
    const ours = parseDump([...formatTraceback(model, { all: true })].join(''));
    const { mismatches, compared } = compareDumps(oracle, ours);
    expect(compared).toBeGreaterThan(3);
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
    expect(model.goVersion).toBe(goVersion);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
