/**
 * A Go program whose executable has neither `.go.buildinfo` nor a Go build-id note — esbuild's
 * release binary from this repo's devDependencies — is still a Go program: it has a Go function
 * table, which is how the analyzer knows (its cores analyze fine). `capture`, `summary --pid` and
 * `top --pid` used to refuse it ("is not a Go program"), because capture had its own test that
 * looked only for build info and build ids. Needs ptrace (CI runs as root); never skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../capture/capture.ts';
import { BufferSource } from '../../src/base/bytes.ts';
import { snapshotFromCapture } from '../../src/format/snapshot/reader.ts';
import { Executable } from '../../src/memory/executable.ts';
import { snapshotModel } from '../../src/runtime/open-model.ts';
import { REPO } from '../support/samples.ts';
import { requirePtrace, runGospy, sleep, startCommand, type LiveTarget } from '../support/live-target.ts';

const ESBUILD = path.join(REPO, 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild');

describe('a Go program without build info or Go build-id note (esbuild)', () => {
  let target: LiveTarget;

  beforeAll(async () => {
    requirePtrace();
    // --watch=forever keeps it up with stdin closed; the entry need not exist (it keeps watching).
    target = await startCommand(ESBUILD, ['in.js', '--outfile=out.js', '--watch=forever']);
    // Up and past the runtime's start: its watcher goroutines exist once it has threads.
    for (let i = 0; i < 100 && fs.readdirSync(`/proc/${target.pid}/task`).length < 3; i++) await sleep(50);
  });
  afterAll(async () => {
    await target?.kill();
  });

  it('the binary really has neither (the premise of this test)', () => {
    const exe = Executable.open(new BufferSource(new Uint8Array(fs.readFileSync(ESBUILD)), ESBUILD), ESBUILD);
    expect(exe.elf.section('.go.buildinfo')).toBeUndefined();
    expect(exe.buildInfo).toBeUndefined();
    expect(exe.goBuildId()).toBeUndefined();
  });

  it('capture takes it, and its snapshot reads as Go', () => {
    const out = capture({ pid: target.pid });
    const model = snapshotModel(snapshotFromCapture(out.data), 'live');
    expect(model.goVersion).toMatch(/^go1\.\d+/);
    expect(model.goroutines.length).toBeGreaterThan(1);
    expect(model.goroutines.some((g) => g.frames.some((f) => f.function.startsWith('github.com/evanw/esbuild/')))).toBe(true);
  });

  it('summary --pid prints its goroutines', async () => {
    const r = await runGospy(['summary', '--pid', String(target.pid)]);
    expect(r.stderr).not.toMatch(/not a Go program/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/goroutines/i);
  });
});
