/**
 * Run the real `gospy` command with test/analyze/record-modules.mjs preloaded and return, besides its
 * output, the modules it loaded: which of the repo's folders, which packages.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GOSPY, NODE } from '../support/live-target.ts';
import { REPO } from '../support/samples.ts';

const RECORDER = path.join(REPO, 'test', 'analyze', 'record-modules.mjs');

export interface RecordedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Loaded module URLs. */
  readonly modules: readonly string[];
  /** Repo files loaded, relative to the repo (e.g. 'capture/ptrace.ts'). */
  readonly repoFiles: readonly string[];
  /** npm packages loaded (e.g. 'koffi', 'yargs'). */
  readonly packages: ReadonlySet<string>;
}

export function runRecorded(args: string[]): RecordedRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-modules-'));
  try {
    const out = path.join(dir, 'modules.txt');
    const r = spawnSync(NODE, ['--import', RECORDER, GOSPY, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, GOSPY_MODULES_OUT: out },
    });
    if (r.error) throw r.error;
    const modules = fs.readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
    const repoUrl = `file://${REPO}/`;
    const repoFiles = modules.filter((u) => u.startsWith(repoUrl) && !u.includes('/node_modules/')).map((u) => u.slice(repoUrl.length));
    const packages = new Set(
      modules.flatMap((u) => {
        const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
        return m === null ? [] : [m[1]!];
      }),
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, modules, repoFiles, packages };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
