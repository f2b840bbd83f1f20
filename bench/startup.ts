/**
 * Start-up of the gospy command, issue 14 item 3: `gospy --help` and `gospy analyze` on the small
 * sample core, run from the TypeScript sources (type stripping, what a clone runs) and from the
 * built JavaScript (`dist/`, what the npm package runs), optionally also from a tsc emit (the
 * alternative build docs/design.md weighs) and a single executable. Not a test: the figures depend
 * on the machine; they go into docs/performance.md ("Packaging").
 *
 *   node_modules/.bin/node bench/startup.ts [--runs 15] [--tsc] [--sea build/out/gospy-linux-x64]
 *
 * Builds dist/ first (build/build.ts). Each variant runs once untimed (the decompression cache and
 * the OS page cache warm up), then `--runs` times; the median and min wall times are printed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPackage, CLI_DIR, DIST, ROOT } from '../build/build.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, tsc: { type: 'boolean', default: false }, sea: { type: 'string' } },
});
const runs = Number(values.runs);
const sample = path.join(ROOT, 'samples/builds/states/go1.27-amd64-static');
const analyzeArgs = ['analyze', path.join(sample, 'core.xz'), '--exe', path.join(sample, 'exe.xz')];

interface Variant {
  readonly name: string;
  readonly command: readonly string[];
}

function tscEmit(): { dir: string; jsBytes: number; jsFiles: number } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-tsc-emit-'));
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', ROOT, '--noEmit', 'false', '--outDir', out, '--rewriteRelativeImportExtensions', '--sourceMap'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('tsc emit failed');
  fs.copyFileSync(path.join(CLI_DIR, 'gospy.mjs'), path.join(out, path.basename(CLI_DIR), 'gospy.mjs'));
  // gospy.mjs imports ./main.ts; the emitted file is main.js.
  const entry = path.join(out, path.basename(CLI_DIR), 'gospy.mjs');
  fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace("'./main.ts'", "'./main.js'"));
  fs.writeFileSync(path.join(out, 'package.json'), fs.readFileSync(path.join(ROOT, 'package.json')));
  const js = fs.readdirSync(out, { recursive: true }).map(String).filter(isJs);
  const jsBytes = js.reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
  return { dir: out, jsBytes, jsFiles: js.length };
}

const isJs = (name: string): boolean => name.endsWith('.js') || name.endsWith('.mjs');

function time(command: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${command.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

await buildPackage();
const node = process.execPath;
const variants: Variant[] = [
  { name: 'source (type stripping)', command: [node, path.join(CLI_DIR, 'gospy.mjs')] },
  { name: 'built (dist/gospy.mjs)', command: [node, path.join(DIST, 'gospy.mjs')] },
];
let tscOut: string | undefined;
if (values.tsc) {
  const emit = tscEmit();
  tscOut = emit.dir;
  variants.push({ name: 'tsc emit', command: [node, path.join(tscOut, path.basename(CLI_DIR), 'gospy.mjs')] });
  const built = fs.readdirSync(DIST).filter(isJs);
  const builtBytes = built.reduce((n, f) => n + fs.statSync(path.join(DIST, f)).size, 0);
  process.stdout.write(
    `JavaScript: built ${(builtBytes / 1024).toFixed(0)} KiB in ${built.length} files (yargs and table inside); ` +
      `tsc emit ${(emit.jsBytes / 1024).toFixed(0)} KiB in ${emit.jsFiles} files (plus yargs and table from node_modules)\n`,
  );
}
if (values.sea !== undefined) variants.push({ name: 'single executable', command: [path.resolve(values.sea)] });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, ${runs} runs each\n`);
for (const [label, args] of [['gospy --help', ['--help']], ['gospy analyze (states go1.27 amd64)', analyzeArgs]] as const) {
  for (const v of variants) {
    time([...v.command, ...args]);
    const ms = Array.from({ length: runs }, () => time([...v.command, ...args]));
    process.stdout.write(`${label.padEnd(38)} ${v.name.padEnd(26)} median ${median(ms).toFixed(0).padStart(5)} ms  min ${Math.min(...ms).toFixed(0).padStart(5)} ms\n`);
  }
}
if (tscOut !== undefined) fs.rmSync(tscOut, { recursive: true, force: true });
