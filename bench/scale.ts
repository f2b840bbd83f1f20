/**
 * Scale bench (issue 10): on the cores `bench/scale-cores.sh` makes (the `many` program at N
 * goroutines, Go 1.27, kernel core + the runtime's own crash dump), time `gospy analyze` for the
 * summary, top, stacks (to a file) and JSON reports with their peak RSS (/usr/bin/time -v), run
 * `dlv core` + `goroutines` / `goroutines -t` beside them, and compare `--report stacks --all` with
 * the crash dump (the comparison rules of test/golden, test/support/traceback-text.ts).
 * Prints Markdown rows for docs/performance.md. Not a test: timings depend on the machine.
 *
 *   node_modules/.bin/node bench/scale.ts [--timeout S] [--no-dlv] [--only summary,top,stacks,json] DIR...
 * DIR: e.g. /work/scratch/scale/g100000 (holds many, core, crash.txt).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as readline from 'node:readline';
import { RUNNING_ELSEWHERE } from '../test/support/traceback-text.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const timeoutS = Number(opt('--timeout') ?? 600);
const noDlv = argv.includes('--no-dlv');
const only = (opt('--only') ?? 'summary,top,stacks,json').split(',');
const nodeFlags = (opt('--node-flags') ?? '').split(' ').filter((s) => s !== '');
const dirs = argv.filter((a, i) => !a.startsWith('--') && !['--timeout', '--only', '--node-flags'].includes(argv[i - 1] ?? ''));
const cache = process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy');
const dlv = path.join(cache, 'toolchains', 'delve', 'usr', 'bin', 'dlv');

interface Run {
  seconds: number;
  rssMB: number;
  code: number;
  killed: boolean;
  stderr: string;
}

/** Wall time and peak RSS of one command (GNU time -v), stdout to `out`. */
function timed(cmd: string, args: string[], out: string, input?: string): Run {
  const t0 = process.hrtime.bigint();
  const fd = fs.openSync(out, 'w');
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {
    stdio: [input === undefined ? 'ignore' : 'pipe', fd, 'pipe'],
    input,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 28,
  });
  fs.closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr ?? '';
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  return { seconds, rssMB: rss ? Number(rss[1]) / 1024 : NaN, code: r.status ?? -1, killed: r.signal !== null, stderr: err };
}

const HEADER = /^goroutine (\d+) \[([^\],]*)/;

/**
 * Goroutine blocks of a dump file, streamed (a 1M-goroutine crash dump is 1 GB, more than one JS
 * string holds). `crash`: the crash dump's first section without its debugging decorations, as
 * normalizeCrashDump in test/support/traceback-text.ts does it.
 */
async function* blocks(file: string, crash: boolean): AsyncGenerator<{ id: number; status: string; text: string }> {
  let cur: string[] | undefined;
  const flush = (): { id: number; status: string; text: string } | undefined => {
    if (!cur) return undefined;
    while (cur.length > 0 && cur[cur.length - 1] === '') cur.pop();
    const m = HEADER.exec(cur[0]!)!;
    const b = { id: Number(m[1]), status: m[2]!.trim(), text: cur.join('\n') };
    cur = undefined;
    return b;
  };
  let started = !crash;
  for await (let line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    if (crash) {
      if (/^goroutine [1-9]\d* /.test(line)) started = true;
      if (!started) continue;
      if (line.startsWith('-----') || /^r[a-z0-9]+\s+0x/.test(line) || line.startsWith('SIGQUIT')) break;
      line = line.replace(/ fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$/, '').replace(/^(goroutine \d+) gp=0x[0-9a-f]+ m=(?:\d+ mp=0x[0-9a-f]+|nil)/, '$1');
    }
    if (HEADER.test(line)) {
      const b = flush();
      if (b) yield b;
      cur = [line];
    } else if (cur) cur.push(line);
  }
  const b = flush();
  if (b) yield b;
}

/** compareDumps' rules (test/support/traceback-text.ts) over streamed blocks, by hash of each text. */
async function compareWithCrashDump(
  crashPath: string,
  oursPath: string,
): Promise<{ compared: number; equal: number; equalButMinutes: number; missing: number }> {
  const hash = (t: string): string => createHash('sha1').update(t).digest('base64');
  // A kernel core has no clock: gospy's wait minutes are lower bounds (docs/design.md), so also
  // count blocks equal apart from the header's ", N minutes".
  const noMinutes = (t: string): string => t.replace(/^(goroutine \d+ \[[^\]]*?), \d+ minutes/, '$1');
  const ours = new Map<number, { status: string; hash: string; loose: string }>();
  for await (const b of blocks(oursPath, false)) ours.set(b.id, { status: b.status, hash: hash(b.text), loose: hash(noMinutes(b.text)) });
  let equalButMinutes = 0;
  const busy = ['running', 'runnable'];
  let compared = 0;
  let equal = 0;
  let missing = 0;
  for await (const want of blocks(crashPath, true)) {
    const got = ours.get(want.id);
    if (!got) {
      missing++;
      continue;
    }
    if (busy.includes(want.status) && busy.includes(got.status) && (want.status !== got.status || want.status === 'running')) continue;
    if (want.text.slice(want.text.indexOf('\n') + 1).startsWith(RUNNING_ELSEWHERE)) continue;
    compared++;
    if (hash(want.text) === got.hash) equal++;
    else if (hash(noMinutes(want.text)) === got.loose) equalButMinutes++;
  }
  return { compared, equal, equalButMinutes, missing };
}

const rows: string[] = [];
for (const dir of dirs) {
  const exe = path.join(dir, 'many');
  const core = path.join(dir, 'core');
  const crashPath = path.join(dir, 'crash.txt');
  const n = Number(/crash.txt goroutines: (\d+)/.exec(fs.readFileSync(path.join(dir, 'info.txt'), 'utf8'))?.[1]);
  const coreGB = fs.statSync(core).size / 1e9;
  const tmp = fs.mkdtempSync(path.join(path.dirname(dir), 'out-'));
  const row = (tool: string, r: Run, extra = ''): void => {
    const status = r.killed ? `killed after ${r.seconds.toFixed(0)} s` : r.code !== 0 ? `exit ${r.code}` : `${r.seconds.toFixed(2)} s`;
    const perG = r.killed || r.code !== 0 ? '–' : `${((r.seconds * 1e6) / n).toFixed(1)} µs, ${((r.rssMB * 1024) / n).toFixed(2)} KiB`;
    rows.push(`| ${n.toLocaleString('en')} | ${tool} | ${status} | ${r.rssMB.toFixed(0)} MB | ${perG} | ${extra} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
    if (r.code !== 0 && !r.killed) process.stderr.write(r.stderr.split('\n').filter((l) => l.startsWith('gospy') || l.includes('FATAL')).join('\n') + '\n');
  };
  const gospy = [...nodeFlags, path.join(REPO, 'analyze', 'gospy.mjs'), 'analyze', core, '--exe', exe];
  for (const report of only) {
    const out = path.join(tmp, `${report}.out`);
    const args = report === 'json' ? ['--report', 'stacks', '--format', 'json', '--all'] : ['--report', report, ...(report === 'stacks' ? ['--all'] : [])];
    const r = timed(process.execPath, [...gospy, ...args], out);
    let extra = '';
    if (report === 'stacks' && r.code === 0) {
      const res = await compareWithCrashDump(crashPath, out);
      const loose = res.equal + res.equalButMinutes;
      extra =
        `= crash dump: ${res.equal}/${res.compared} exactly, ${loose}/${res.compared} (${((100 * loose) / res.compared).toFixed(2)}%) ` +
        `apart from wait minutes, ${res.missing} missing`;
    }
    row(`gospy ${args.join(' ')}`, r, extra);
  }
  if (!noDlv && fs.existsSync(dlv)) {
    for (const cmd of ['goroutines', 'goroutines -t 100']) {
      const script = path.join(tmp, 'dlv-init.txt');
      fs.writeFileSync(script, `${cmd}\nexit\n`);
      const out = path.join(tmp, 'dlv.out');
      const r = timed(dlv, ['core', exe, core, '--init', script, '--allow-non-terminal-interactive=true', '--check-go-version=false'], out, '');
      const listed = (fs.readFileSync(out, 'utf8').match(/^\s*(\* )?Goroutine \d+ /gm) ?? []).length;
      row(`dlv core + ${cmd}`, r, `${listed} goroutines listed`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`(${dir}: core ${coreGB.toFixed(2)} GB)\n`);
}
process.stdout.write(
  `${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, timeout ${timeoutS} s\n\n` +
    '| goroutines | tool | time | peak RSS | per goroutine | output |\n| --- | --- | --- | --- | --- | --- |\n' +
    rows.join('\n') +
    '\n',
);
