/**
 * Time and peak resident memory of opening compressed inputs, each in a fresh process with an
 * empty decompression cache (so every run really decompresses). Prints a Markdown table for
 * docs/performance.md ("Inputs"). Not a test: timings depend on the machine.
 *
 *   node_modules/.bin/node bench/decompress-input.ts [--runs 3] FILE…
 * Default: the committed 633 KB gcore.xz of samples/builds/states/go1.27-amd64-static (1.26 GB).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../test/support/samples.ts';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const files = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
if (files.length === 0) files.push(path.join(REPO, 'samples', 'builds', 'states', 'go1.27-amd64-static', 'gcore.xz'));

/** One fresh process: seconds to open `file` and its peak resident MiB (the kernel's VmHWM). */
function once(file: string): { seconds: number; peakMiB: number; size: number } {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-bench-decompress-'));
  try {
    const script = `
      import * as fs from 'node:fs';
      const { openInput } = await import(${JSON.stringify(path.join(REPO, 'src', 'memory', 'open-input.ts'))});
      const t = performance.now();
      const r = await openInput(${JSON.stringify(file)});
      const seconds = (performance.now() - t) / 1000;
      const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
      console.log(JSON.stringify({ seconds, peakMiB: hwm / 1024, size: r.source.size }));
      r.source.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, GOSPY_CACHE: cache } });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { seconds: number; peakMiB: number; size: number };
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('| input | compressed | decompressed | time (median) | peak resident (max) |');
console.log('| --- | --- | --- | --- | --- |');
for (const f of files) {
  const rs = Array.from({ length: runs }, () => once(f));
  const mb = (n: number): string => `${(n / 1e6).toFixed(n < 1e7 ? 2 : 0)} MB`;
  console.log(
    `| ${path.relative(REPO, f)} | ${mb(fs.statSync(f).size)} | ${mb(rs[0]!.size)} | ${median(rs.map((r) => r.seconds)).toFixed(1)} s | ${Math.max(...rs.map((r) => r.peakMiB)).toFixed(0)} MiB |`,
  );
}
