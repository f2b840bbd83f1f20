/**
 * Side-by-side timing: `gospy analyze --report stacks` against `dlv core EXE CORE` running
 * `goroutines -t` (every goroutine with its stack), on the same cores. Prints a Markdown table of
 * medians for docs/performance.md. Not a test: timings depend on the machine.
 *
 *   node_modules/.bin/node bench/compare-delve.ts [--runs 5] [sample dir …]
 * Defaults to the 10,000-goroutine samples (samples/builds/many/*). Needs delve: run
 * `bash samples/toolchains.sh` first (it fetches Debian's delve into the cache).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listSampleBuilds, samplePath, REPO, type SampleBuild } from '../test/support/samples.ts';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const dirs = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
const cache = process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy');
const dlv = path.join(cache, 'toolchains', 'delve', 'usr', 'bin', 'dlv');
if (!fs.existsSync(dlv)) {
  process.stderr.write(`delve not found at ${dlv}; run: bash samples/toolchains.sh\n`);
  process.exit(1);
}

const builds: SampleBuild[] = listSampleBuilds().filter((b) =>
  dirs.length > 0 ? dirs.some((d) => path.resolve(d) === b.dir) : b.program === 'many',
);

function time(cmd: string, argv: string[], input?: string): { ms: number; out: string; code: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 30, input, timeout: 600_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, out: r.stdout ?? '', code: r.status ?? -1 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: string[] = [];
for (const b of builds) {
  const core = await samplePath(b, 'core');
  const exe = await samplePath(b, 'exe');
  const script = path.join(os.tmpdir(), 'gospy-dlv-init.txt');
  fs.writeFileSync(script, 'goroutines -t 100\nexit\n');
  const g: number[] = [];
  const d: number[] = [];
  let gCount = 0;
  let dCount = 0;
  for (let i = 0; i < runs; i++) {
    const a = time(process.execPath, [path.join(REPO, 'analyze', 'gospy.mjs'), 'analyze', core, '--exe', exe, '--report', 'stacks', '--all']);
    if (a.code !== 0) throw new Error(`gospy failed on ${b.dir}`);
    g.push(a.ms);
    gCount = (a.out.match(/^goroutine \d+ /gm) ?? []).length;
    const c = time(dlv, ['core', exe, core, '--init', script, '--allow-non-terminal-interactive=true', '--check-go-version=false'], '');
    d.push(c.ms);
    dCount = (c.out.match(/^\s*(\* )?Goroutine \d+ /gm) ?? []).length;
  }
  rows.push(
    `| ${path.relative(path.join(REPO, 'samples', 'builds'), b.dir)} | ${gCount} | ${median(g).toFixed(0)} ms | ${dCount} | ${median(d).toFixed(0)} ms | ${(median(d) / median(g)).toFixed(1)}× |`,
  );
}
process.stdout.write(
  `medians of ${runs} runs, ${os.cpus().length} CPUs, Node ${process.versions.node}\n\n` +
    '| sample | gospy goroutines | gospy `--report stacks --all` | delve goroutines | `dlv core` + `goroutines -t 100` | gospy faster by |\n' +
    '| --- | --- | --- | --- | --- | --- |\n' +
    rows.join('\n') +
    '\n',
);
