/**
 * End-to-end goldens of the summary, top and JSON reports on real sample cores: each case is one
 * `gospy analyze` command line, run from the repository root with repository-relative paths (so the
 * output names no machine-specific path and nothing needs masking); its stdout is kept in
 * test/golden/reports/<case>.txt|.json. test/golden/reports.test.ts compares; this file, run as a
 * script, regenerates them:
 *
 *   node_modules/.bin/node test/support/report-goldens.ts --update [CASE…]
 *
 * A regenerated golden must be checked by eye against the runtime's own dumps of the sample
 * (stack.txt, crash.txt: ids, statuses, wait reasons, locations) before it is committed; the
 * runtime is the oracle, never gospy's previous output.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GOSPY } from './live-target.ts';
import { REPO } from './samples.ts';

export const GOLDEN_DIR = path.join(REPO, 'test', 'golden', 'reports');

export interface ReportCase {
  /** File name without extension, e.g. "states-go1.27-amd64-static.summary". */
  readonly name: string;
  /** samples/builds/<program>/<build> */
  readonly sample: string;
  /** Arguments after `gospy analyze CORE --exe EXE`. */
  readonly args: readonly string[];
  readonly ext: 'txt' | 'json';
}

const SAMPLES = {
  'states-go1.27-amd64-static': 'samples/builds/states/go1.27-amd64-static',
  'states-go1.15-amd64-pie-stripped': 'samples/builds/states/go1.15-amd64-pie-stripped',
  'states-go1.21-amd64-cgo': 'samples/builds/states/go1.21-amd64-cgo',
  'states-go1.19-arm64-static': 'samples/builds/states/go1.19-arm64-static',
  'many-go1.27-amd64-static': 'samples/builds/many/go1.27-amd64-static',
} as const;

const REPORTS: Record<string, { args: string[]; ext: 'txt' | 'json' }> = {
  summary: { args: [], ext: 'txt' },
  'summary-all': { args: ['--all'], ext: 'txt' },
  top: { args: ['--report', 'top'], ext: 'txt' },
  'summary-json': { args: ['--format', 'json'], ext: 'json' },
  'top-json': { args: ['--report', 'top', '--format', 'json'], ext: 'json' },
};

const PLAN: Record<keyof typeof SAMPLES, readonly string[]> = {
  'states-go1.27-amd64-static': ['summary', 'summary-all', 'top', 'summary-json', 'top-json'],
  'states-go1.15-amd64-pie-stripped': ['summary', 'top', 'summary-json'],
  'states-go1.21-amd64-cgo': ['summary', 'top', 'summary-json'],
  'states-go1.19-arm64-static': ['summary', 'top', 'summary-json'],
  // 10,500 goroutines: top only (the summary lists every goroutine, 10k lines)
  'many-go1.27-amd64-static': ['top', 'top-json'],
};

export const REPORT_CASES: readonly ReportCase[] = Object.entries(PLAN).flatMap(([sample, reports]) =>
  reports.map((r) => ({ name: `${sample}.${r}`, sample: SAMPLES[sample as keyof typeof SAMPLES], args: REPORTS[r]!.args, ext: REPORTS[r]!.ext })),
);

export const goldenPath = (c: ReportCase): string => path.join(GOLDEN_DIR, `${c.name}.${c.ext}`);

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the case's `gospy analyze` (the real CLI, a child process with this Node) from the repository root. */
export function runCase(c: ReportCase): Promise<CliRun> {
  const argv = [GOSPY, 'analyze', `${c.sample}/core.xz`, '--exe', `${c.sample}/exe.xz`, ...c.args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (!args.includes('--update')) {
    process.stderr.write('usage: node test/support/report-goldens.ts --update [CASE…]   (cases: see REPORT_CASES)\n');
    process.exit(2);
  }
  const only = args.filter((a) => a !== '--update');
  const cases = REPORT_CASES.filter((c) => only.length === 0 || only.includes(c.name));
  fs.mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const c of cases) {
    const r = await runCase(c);
    if (r.code !== 0) {
      process.stderr.write(`${c.name}: exit ${r.code}\n${r.stderr}`);
      process.exit(1);
    }
    fs.writeFileSync(goldenPath(c), r.stdout);
    process.stdout.write(`wrote ${path.relative(REPO, goldenPath(c))} (${r.stdout.length} bytes)\n`);
  }
}
