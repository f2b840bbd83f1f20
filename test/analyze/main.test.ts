import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type OpenModel, type CliIo } from '../../analyze/main.ts';
import { writeChunks } from '../../analyze/output.ts';
import { FormatError, MismatchError, UnsupportedError } from '../../src/base/errors.ts';
import { createdBy, frame, goroutine, model } from '../report/fixtures.ts';
import { REPO } from '../support/samples.ts';
import { errnoName, ptraceRefused } from '../../capture/errors.ts';

/** A Writable that keeps what it was given; optionally small and slow, or failing like a closed pipe. */
class Sink extends Writable {
  text = '';
  isTTY: boolean;
  constructor(o: { tty?: boolean; highWaterMark?: number; slow?: boolean; epipe?: boolean } = {}) {
    super({
      highWaterMark: o.highWaterMark ?? 16 * 1024,
      decodeStrings: false,
      write: (chunk: string | Buffer, _enc, cb) => {
        if (o.epipe === true) {
          const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          setImmediate(() => cb(err));
          return;
        }
        this.text += chunk.toString();
        if (o.slow === true) setImmediate(cb);
        else cb();
      },
    });
    this.isTTY = o.tty ?? false;
  }
}

const sampleModel = model(
  [
    goroutine(1, { status: 'running', waitReason: '', fromRegisters: true, frames: [frame('main.main', { line: 50, pc: 0x4011fb })] }),
    goroutine(2, { system: true, waitReason: 'force gc (idle)', frames: [frame('runtime.forcegchelper', { visible: false })] }),
    goroutine(19, { frames: [frame('runtime.gopark'), frame('main.worker', { line: 42 })], createdBy: createdBy('main.main') }),
  ],
  { warnings: [{ kind: 'wait-minutes-estimated', message: 'wait minutes are estimated from sched.lastpoll' }] },
);

let core = '';
let coreDir = '';
beforeAll(() => {
  coreDir = mkdtempSync(joinPath(tmpdir(), 'gospy-cli-'));
  core = joinPath(coreDir, 'core.1234');
  writeFileSync(core, 'not really a core');
});
afterAll(() => {
  if (coreDir !== '') rmSync(coreDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
  calls: { path: string; exe: string | undefined }[];
}

async function run(argv: string[], o: { analyze?: OpenModel; stdout?: Sink; env?: Record<string, string>; tty?: boolean } = {}): Promise<Run> {
  const stdout = o.stdout ?? new Sink({ tty: o.tty ?? false });
  const stderr = new Sink({ tty: false });
  const calls: Run['calls'] = [];
  const io: CliIo = {
    stdout,
    stderr,
    env: o.env ?? {},
    openModel:
      o.analyze ??
      (async (path, opts) => {
        calls.push({ path, exe: opts.exe });
        opts.onProgress?.('reading core');
        return sampleModel;
      }),
  };
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text, calls };
}

describe('usage errors exit 2 with one message and a hint', () => {
  it.each([
    [[], /^gospy: name a command, e.g. gospy analyze FILE\nhint: run gospy --help /],
    [['analyze'], /^gospy: not enough non-option arguments: got 0, need at least 1\nhint: run gospy analyze --help/],
    [['analyze', 'core', '--report', 'flame'], /^gospy: invalid values: Argument: report, Given: "flame", Choices: "summary", "stacks", "top"\nhint: /],
    [['analyze', 'core', '--format', 'xml'], /^gospy: invalid values: .*format/],
    [['analyze', 'core', '--bogus'], /^gospy: unknown argument: bogus\n/],
    [['core.1234'], /^gospy: unknown argument: core\.1234\nhint: the command comes first: gospy analyze core\.1234\n$/],
    // The gdb/dlv habit: the executable as a second argument.
    [['analyze', 'a', 'b'], /^gospy: analyze takes one FILE; b is one too many\nhint: name the executable with --exe .*: gospy analyze a --exe b\n$/],
    [['analyze', '--report', 'top', 'core.1', 'server'], /\nhint: .*: gospy analyze core\.1 --exe server\n$/],
    [['export', 'snap.gsz', '--bogus'], /^gospy: unknown argument: bogus\nhint: run gospy export --help /],
    [['summary', '--pid', 'abc'], /^gospy: --pid must be a process id \(a positive whole number\), not 'abc'\nhint: /],
    [['capture', '--pid', '-3', '-o', 'x.gsz'], /^gospy: --pid must be a process id/],
    [['top', '--pid', '12x'], /^gospy: --pid must be a process id \(a positive whole number\), not '12x'\n/],
  ])('%j', async (argv, want) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(want);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.calls).toEqual([]);
  });
});

describe('missing input exits 1 without a stack trace', () => {
  it('missing FILE', async () => {
    const r = await run(['analyze', '/no/such/core.1']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'gospy: cannot open input file /no/such/core.1: no such file\nhint: name a core file (from gcore or a kernel core dump) or a gospy snapshot\n',
    );
    expect(r.err.split('\n')[0]).toBe('gospy: cannot open input file /no/such/core.1: no such file');
    expect(r.out).toBe('');
  });
  it('missing --exe', async () => {
    const r = await run(['analyze', core, '--exe', '/no/such/server']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^gospy: cannot open executable \/no\/such\/server: no such file\nhint: /);
    expect(r.calls).toEqual([]);
  });
  it('a directory', async () => {
    const r = await run(['analyze', tmpdir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is a directory/);
  });
});

describe('help and version', () => {
  it('--help teaches', async () => {
    const r = await run(['analyze', '--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const s of [
      'gospy analyze FILE [options]',
      '--exe',
      '--report',
      '--all',
      '--format',
      '--color',
      '--debug',
      'gcore -o core $(pidof server)',
      'GOTRACEBACK=crash',
      'summary  (default)',
      'stacks ',
      'top ',
      'Exit codes:',
      '70  internal error',
      'NO_COLOR',
    ]) {
      expect(r.out).toContain(s);
    }
  });
  it('top-level --help lists the command and the same guide', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('gospy analyze <file>');
    expect(r.out).toContain('Exit codes:');
  });
  it('--version: gospy, the Go versions it reads (from the analyzer\'s limits), Node and the build', async () => {
    const { NEWEST_KNOWN_MINOR, OLDEST_SUPPORTED_MINOR } = await import('../../src/runtime/binary-facts.ts');
    const pkg = JSON.parse(readFileSync(joinPath(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      `gospy ${pkg.version}`,
      `reads Go go1.${OLDEST_SUPPORTED_MINOR} to go1.${NEWEST_KNOWN_MINOR} (newer releases: struct layouts from the binary's DWARF)`,
      `node ${process.version}`,
      'build source',
      '',
    ]);
  });
  it('every command has --help with examples, none wrapped mid-command, and no option hint glued to its text', async () => {
    for (const cmd of ['analyze', 'capture', 'summary', 'top', 'export', '']) {
      const r = await run(cmd === '' ? ['--help'] : [cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      const lines = r.out.split('\n');
      const at = lines.indexOf('Examples:');
      expect(at, cmd).toBeGreaterThan(0);
      // Examples: a command line, then what it does, indented further; every command starts with gospy.
      const block = lines.slice(at + 1, lines.indexOf('', at));
      expect(block.length, cmd).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < block.length; i += 2) {
        expect(block[i], cmd).toMatch(cmd === '' ? /^  gospy \S/ : new RegExp(`^  gospy ${cmd} `));
        expect(block[i + 1], cmd).toMatch(/^      \S/);
      }
      for (const l of lines) expect(l.length, `${cmd}: ${l}`).toBeLessThanOrEqual(100);
      expect(r.out, cmd).not.toMatch(/\S\[(choices|default|boolean|string|number|required)/);
    }
  });
  it('summary --help: the --format hints stand apart from its text', async () => {
    const r = await run(['summary', '--help']);
    expect(r.out).toMatch(/--format +text for people, json for programs\n +\[choices: "text", "json"\] \[default: "text"\]\n/);
  });
  it('completion prints a bash script that asks gospy for the words', async () => {
    const r = await run(['completion']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('###-begin-gospy-completions-###');
    expect(r.out).toContain('gospy --get-yargs-completions');
    expect(r.out).toMatch(/complete .* gospy\n/);
  });
  it('completion words: the commands, then a command\'s options', async () => {
    const words = (await run(['--get-yargs-completions', 'gospy', ''])).out.split('\n');
    for (const c of ['analyze', 'capture', 'summary', 'top', 'export', 'completion']) expect(words).toContain(c);
    const opts = (await run(['--get-yargs-completions', 'gospy', 'analyze', '--'])).out.split('\n');
    for (const o of ['--exe', '--report', '--format', '--all']) expect(opts).toContain(o);
  });
});

describe('reports', () => {
  it('summary by default; warnings on stderr; no progress when stderr is not a terminal', async () => {
    const r = await run(['analyze', core]);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([{ path: core, exe: undefined }]);
    expect(r.out).toContain('executable: /app/server\n');
    expect(r.out).toContain('\n  19  chan receive  main.worker (/app/main.go:42)\n');
    expect(r.out).not.toContain('warning');
    expect(r.out).not.toContain('\u001b[');
    expect(r.err).toBe('gospy: warning: wait minutes are estimated from sched.lastpoll\n');
  });
  it('stacks with --exe', async () => {
    const r = await run(['analyze', core, '--exe', core, '--report', 'stacks']);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([{ path: core, exe: core }]);
    expect(r.out).toBe(
      'goroutine 1 [running]:\nmain.main()\n\t/app/main.go:50 +0x1fb\n\n' +
        'goroutine 19 [chan receive]:\nmain.worker()\n\t/app/main.go:42 +0x20\ncreated by main.main in goroutine 1\n\t/app/main.go:39 +0x136\n',
    );
  });
  it('stacks --all', async () => {
    const r = await run(['analyze', core, '--report=stacks', '--all']);
    expect(r.out).toContain('goroutine 2 [force gc (idle)]:\nruntime.forcegchelper()');
    expect(r.out).toContain('runtime.gopark()\n');
  });
  it('top', async () => {
    const r = await run(['analyze', core, '--report', 'top']);
    expect(r.out).toContain('2 goroutines in 2 groups');
  });
  it('json for each report', async () => {
    for (const report of ['summary', 'stacks', 'top']) {
      const r = await run(['analyze', core, '--report', report, '--format', 'json', '--color', 'always']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out);
      expect(doc.schema).toBe('gospy.analyze/v1');
      expect(doc.report).toBe(report);
      expect(r.out).not.toContain('\u001b[');
    }
  });
  it('colour: auto on a terminal, NO_COLOR wins over auto, always wins over NO_COLOR, never', async () => {
    expect((await run(['analyze', core], { tty: true })).out).toContain('\u001b[');
    expect((await run(['analyze', core], { tty: true, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b[');
    expect((await run(['analyze', core], { tty: true, env: { NO_COLOR: '' } })).out).toContain('\u001b[');
    expect((await run(['analyze', core, '--color', 'always'], { env: { NO_COLOR: '1' } })).out).toContain('\u001b[');
    expect((await run(['analyze', core, '--color', 'never'], { tty: true })).out).not.toContain('\u001b[');
  });
});

describe('error boundary', () => {
  const failing = (err: unknown): OpenModel => async () => {
    throw err;
  };
  it.each([
    [new FormatError('elf', "bad magic '7f454c47'", 0, { hint: 'is this a core file?' }), 1, "gospy: elf: bad magic '7f454c47' at offset 0x0\nhint: is this a core file?\n"],
    [new MismatchError('core and executable have different build ids'), 1, 'gospy: core and executable have different build ids\n'],
    [new UnsupportedError('go-version', 'Go 1.11 is older than gospy supports (1.12+)'), 3, 'gospy: Go 1.11 is older than gospy supports (1.12+)\n'],
    // capture/freeze.ts: a ptrace errno that is neither EPERM nor ESRCH (was a plain Error: exit 70).
    [ptraceRefused(41, 42, 'PTRACE_SEIZE', errnoName({ EPERM: 1, EBUSY: 16 }, 16)), 1, 'gospy: cannot stop thread 42 of process 41: ptrace(PTRACE_SEIZE) failed with EBUSY\nhint: the kernel refused to trace it; if it persists, report it with `uname -r` and the command line (capture again with --debug)\n'],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), 70, "gospy: internal error: Cannot read properties of undefined (reading 'x') (re-run with --debug for a stack trace)\n"],
    ['a string', 70, 'gospy: internal error: a string (re-run with --debug for a stack trace)\n'],
  ])('%s → exit %i', async (err, code, text) => {
    const r = await run(['analyze', core], { analyze: failing(err) });
    expect(r.code).toBe(code);
    expect(r.err).toBe(text);
    expect(r.out).toBe('');
  });
  it('--debug prints the stack', async () => {
    const r = await run(['analyze', core, '--debug'], { analyze: failing(new TypeError('boom')) });
    expect(r.code).toBe(70);
    expect(r.err).toMatch(/^gospy: internal error: boom\nTypeError: boom\n\s+at /);
  });
});

describe('output', () => {
  it('respects backpressure: everything arrives through a tiny, slow stream', async () => {
    const sink = new Sink({ highWaterMark: 16, slow: true });
    const chunks = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`);
    await writeChunks(sink, chunks);
    expect(sink.text).toBe(chunks.join(''));
  });
  it('a closed pipe (EPIPE) exits 0 quietly', async () => {
    const many = model(Array.from({ length: 20_000 }, (_, i) => goroutine(i + 1)));
    const stdout = new Sink({ epipe: true });
    stdout.on('error', () => {});
    const r = await run(['analyze', core, '--report', 'stacks'], { analyze: async () => many, stdout });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
  it('progress goes to stderr only on a terminal', async () => {
    const stderr = new Sink({ tty: true });
    const stdout = new Sink();
    const code = await main(['analyze', core], {
      stdout,
      stderr,
      env: {},
      openModel: async (_p, o) => {
        o.onProgress?.('reading core');
        return model([]);
      },
    });
    expect(code).toBe(0);
    expect(stderr.text).toBe('\r\u001b[Kgospy: reading core\r\u001b[K');
  });
});
