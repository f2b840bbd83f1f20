/**
 * How long does capturing a running Go process stall it? Issue 3, item 8. Not a test: the figures
 * depend on the machine; they go into docs/performance.md ("Capture pause").
 *
 * The target (bench/stall-target/) holds a live heap and parked goroutines, and one goroutine
 * that sleeps 1 ms in a loop and records the largest gap between its wake-ups. For each method the
 * bench resets that maximum, runs the method to completion, and reads the maximum back: the
 * target's observed stall is that gap minus the 1 ms tick. Methods: gdb's `gcore` (core written to
 * the temp dir and deleted), `gospy capture --mode full`, and `gospy capture --mode goroutines`
 * (skipped with a note while gospy says that mode is not implemented). "idle" is the same
 * measurement around a 1 s sleep: the noise floor of the machine.
 *
 *   node_modules/.bin/node bench/capture-stall.ts [--runs 5] [--gcore-runs N] [--configs A,B]
 *     [--methods idle,gcore,full,goroutines] [--settle 3000]
 *
 * Configurations: A = 1024 MiB live heap + 10,000 goroutines; B = 16 MiB heap + 10,000
 * goroutines. The goroutines park 8 frames deep, so B is about 110 MiB resident, like the issue's
 * reference process.
 * Needs root (or ptrace rights), gdb's `gcore`, and the cached Go 1.27 toolchain
 * (`bash samples/toolchains.sh`). The script builds the target itself, into the temp dir, with:
 *
 *   G=~/.cache/gospy/toolchains/go1.27/usr/lib/go-1.27
 *   cd bench/stall-target && GOROOT=$G GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod \
 *     $G/bin/go build -o /tmp/gospy-stall-target .
 *
 * Run it with Node 24 (node_modules/.bin/node if the system node is older).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function opt(name: string, def: string): string {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : def;
}
const runs = Number(opt('runs', '5'));
const gcoreRuns = Number(opt('gcore-runs', String(runs)));
const settleMs = Number(opt('settle', '3000'));
const wanted = opt('configs', 'A,B').split(',');
const wantedMethods = opt('methods', 'idle,gcore,full,goroutines').split(',');

interface Config {
  readonly name: string;
  readonly heapMiB: number;
  readonly goroutines: number;
}
const CONFIGS: Config[] = [
  { name: 'A', heapMiB: 1024, goroutines: 10_000 },
  { name: 'B', heapMiB: 16, goroutines: 10_000 },
].filter((c) => wanted.includes(c.name));

const cache = process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy');
const goroot = path.join(cache, 'toolchains', 'go1.27', 'usr', 'lib', 'go-1.27');
const tmp = os.tmpdir();
const targetExe = path.join(tmp, 'gospy-stall-target');
const gospy = path.join(REPO, 'analyze', 'gospy.mjs');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function build(): void {
  const r = spawnSync(path.join(goroot, 'bin', 'go'), ['build', '-o', targetExe, '.'], {
    cwd: path.join(REPO, 'bench', 'stall-target'),
    env: { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local', GOPROXY: 'off', GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the target failed:\n${r.stderr}${r.error ?? ''}`);
}

/** A running target: send "report", get the max gap (µs) since the previous report. */
class Target {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private exited = false;

  constructor(c: Config) {
    this.proc = spawn(targetExe, ['-heap-mib', String(c.heapMiB), '-goroutines', String(c.goroutines)]);
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(`target: ${d}`));
    this.proc.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
    readline.createInterface({ input: this.proc.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.waiter?.();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  async line(timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.exited) throw new Error('the target exited');
      if (Date.now() > deadline) throw new Error('the target did not answer');
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
      this.waiter = null;
    }
    return this.lines.shift()!;
  }

  async maxGapUs(): Promise<number> {
    this.proc.stdin.write('report\n');
    const l = await this.line(30_000);
    const m = /^maxgap (\d+)$/.exec(l);
    if (!m) throw new Error(`unexpected line from the target: ${l}`);
    return Number(m[1]);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

interface Run {
  wallMs: number;
  code: number;
  stderr: string;
}
function run(cmd: string, argv: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ wallMs: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? -1, stderr }));
  });
}

interface Sample {
  stallMs: number;
  wallMs: number;
  bytes: number;
  reportedPauseMs?: number;
}
type Method = (pid: number) => Promise<Sample | 'skip'>;

const methods: Record<string, Method> = {
  async idle() {
    const t0 = process.hrtime.bigint();
    await sleep(1000);
    return { stallMs: 0, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, bytes: 0 };
  },
  async gcore(pid) {
    const prefix = path.join(tmp, `gospy-stall-core`);
    const file = `${prefix}.${pid}`;
    try {
      const r = await run('gcore', ['-o', prefix, String(pid)]);
      if (r.code !== 0 || !fs.existsSync(file)) throw new Error(`gcore failed (${r.code}): ${r.stderr}`);
      return { stallMs: 0, wallMs: r.wallMs, bytes: fs.statSync(file).size };
    } finally {
      fs.rmSync(file, { force: true });
    }
  },
  full: (pid) => gospyCapture(pid, 'full'),
  goroutines: (pid) => gospyCapture(pid, 'goroutines'),
};

async function gospyCapture(pid: number, mode: string): Promise<Sample | 'skip'> {
  const file = path.join(tmp, `gospy-stall-${mode}.gsz`);
  try {
    const r = await run(process.execPath, [gospy, 'capture', '--pid', String(pid), '-o', file, '--force', '--mode', mode]);
    if (r.code !== 0) {
      if (/not implemented/i.test(r.stderr)) {
        process.stdout.write(`note: skipping --mode ${mode}: ${r.stderr.trim().split('\n')[0]}\n`);
        return 'skip';
      }
      throw new Error(`gospy capture --mode ${mode} failed (${r.code}): ${r.stderr}`);
    }
    const m = /paused ([\d.]+) ms/.exec(r.stderr);
    return {
      stallMs: 0,
      wallMs: r.wallMs,
      bytes: fs.statSync(file).size,
      ...(m ? { reportedPauseMs: Number(m[1]) } : {}),
    };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function machine(): string {
  const cpus = os.cpus();
  const gdb = spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '?';
  const go = spawnSync(path.join(goroot, 'bin', 'go'), ['version'], {
    encoding: 'utf8',
    env: { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local' },
  }).stdout?.trim();
  return (
    `${cpus.length} × ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Linux ${os.release()}, Node ${process.version}, ${gdb}, ${go}, ${new Date().toISOString().slice(0, 10)}`
  );
}

const fmtMs = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
function fmtBytes(b: number): string {
  if (b === 0) return '—';
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  return `${(b / 2 ** 20).toFixed(1)} MiB`;
}

const targets: Target[] = [];
const killAll = (): void => targets.forEach((t) => t.kill());
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

const rows: string[] = [];
const notes: string[] = [];
try {
  build();
  process.stdout.write(`machine: ${machine()}\n`);
  for (const c of CONFIGS) {
    const t = new Target(c);
    targets.push(t);
    try {
      const ready = await t.line();
      if (ready !== 'READY') throw new Error(`expected READY, got ${ready}`);
      await sleep(settleMs);
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${t.pid}/status`, 'utf8'))?.[1];
      const rssMiB = rss ? Number(rss) / 1024 : 0;
      process.stdout.write(`config ${c.name}: pid ${t.pid}, ${c.heapMiB} MiB heap, ${c.goroutines} goroutines, RSS ${rssMiB.toFixed(0)} MiB\n`);
      const samples: Record<string, Sample[]> = {};
      const skipped = new Set<string>();
      const maxRuns = Math.max(runs, gcoreRuns);
      for (let i = 0; i < maxRuns; i++) {
        for (const [name, m] of Object.entries(methods)) {
          if (skipped.has(name) || !wantedMethods.includes(name)) continue;
          if (i >= (name === 'gcore' ? gcoreRuns : runs)) continue;
          await t.maxGapUs(); // reset
          const s = await m(t.pid);
          const gapUs = await t.maxGapUs();
          if (s === 'skip') {
            skipped.add(name);
            if (!notes.some((n) => n.includes(`--mode ${name}`))) notes.push(`\`--mode ${name}\` skipped: gospy says it is not implemented.`);
            continue;
          }
          s.stallMs = Math.max(0, gapUs / 1000 - 1);
          (samples[name] ??= []).push(s);
          process.stdout.write(
            `  ${c.name} run ${i + 1} ${name}: stall ${fmtMs(s.stallMs)} ms, total ${fmtMs(s.wallMs)} ms` +
              (s.bytes ? `, ${fmtBytes(s.bytes)}` : '') +
              (s.reportedPauseMs !== undefined ? `, gospy says paused ${s.reportedPauseMs} ms` : '') +
              '\n',
          );
          await sleep(500); // let the target settle again
        }
      }
      for (const [name, ss] of Object.entries(samples)) {
        const stalls = ss.map((s) => s.stallMs);
        const paused = ss.filter((s) => s.reportedPauseMs !== undefined).map((s) => s.reportedPauseMs!);
        const label = name === 'idle' ? 'idle (1 s sleep, noise floor)' : name === 'gcore' ? '`gcore`' : `gospy \`--mode ${name}\``;
        rows.push(
          `| ${c.name}: ${c.heapMiB} MiB heap, ${(c.goroutines / 1000).toFixed(0)}k goroutines, RSS ${rssMiB.toFixed(0)} MiB | ${label} | ${ss.length} | ` +
            `${fmtMs(median(stalls))} ms (${fmtMs(Math.min(...stalls))}–${fmtMs(Math.max(...stalls))}) | ` +
            `${paused.length ? `${fmtMs(median(paused))} ms` : '—'} | ${name === 'idle' ? '—' : `${fmtMs(median(ss.map((s) => s.wallMs)))} ms`} | ` +
            `${fmtBytes(median(ss.map((s) => s.bytes)))} |`,
        );
      }
    } finally {
      t.proc.stdin.end('quit\n');
      t.kill();
    }
  }
} finally {
  killAll();
}

process.stdout.write(
  '\n| target | method | runs | observed stall, median (min–max) | pause gospy reports | total time | output |\n' +
    '| --- | --- | --- | --- | --- | --- | --- |\n' +
    rows.join('\n') +
    '\n' +
    (notes.length ? `\n${notes.join('\n')}\n` : ''),
);
