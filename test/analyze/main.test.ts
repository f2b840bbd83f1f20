import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type AnalyzeFile, type CliIo } from '../../analyze/main.ts';
import { writeChunks } from '../../analyze/output.ts';
import { FormatError, MismatchError, UnsupportedError } from '../../src/base/errors.ts';
import { createdBy, frame, goroutine, model } from '../report/fixtures.ts';

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

async function run(argv: string[], o: { analyze?: AnalyzeFile; stdout?: Sink; env?: Record<string, string>; tty?: boolean } = {}): Promise<Run> {
  const stdout = o.stdout ?? new Sink({ tty: o.tty ?? false });
  const stderr = new Sink({ tty: false });
  const calls: Run['calls'] = [];
  const io: CliIo = {
    stdout,
    stderr,
    env: o.env ?? {},
    analyzeFile:
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
    [[], /^gospy: name a command: gospy analyze FILE\nhint: /],
    [['analyze'], /^gospy: not enough non-option arguments: got 0, need at least 1\nhint: run gospy analyze --help/],
    [['analyze', 'core', '--report', 'flame'], /^gospy: invalid values: Argument: report, Given: "flame", Choices: "summary", "stacks", "top"\nhint: /],
    [['analyze', 'core', '--format', 'xml'], /^gospy: invalid values: .*format/],
    [['analyze', 'core', '--bogus'], /^gospy: unknown argument: bogus\n/],
    [['core.1234'], /^gospy: unknown argument: core\.1234\nhint: the command comes first: gospy analyze core\.1234\n$/],
    [['analyze', 'a', 'b'], /^gospy: unknown argument: b\n/],
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
  it('--version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+\n$/);
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
  const failing = (err: unknown): AnalyzeFile => async () => {
    throw err;
  };
  it.each([
    [new FormatError('elf', "bad magic '7f454c47'", 0, { hint: 'is this a core file?' }), 1, "gospy: elf: bad magic '7f454c47' at offset 0x0\nhint: is this a core file?\n"],
    [new MismatchError('core and executable have different build ids'), 1, 'gospy: core and executable have different build ids\n'],
    [new UnsupportedError('go-version', 'Go 1.11 is older than gospy supports (1.12+)'), 3, 'gospy: Go 1.11 is older than gospy supports (1.12+)\n'],
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
      analyzeFile: async (_p, o) => {
        o.onProgress?.('reading core');
        return model([]);
      },
    });
    expect(code).toBe(0);
    expect(stderr.text).toBe('\r\u001b[Kgospy: reading core\r\u001b[K');
  });
});
