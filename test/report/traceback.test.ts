import { describe, expect, it } from 'vitest';
import type { Frame, Goroutine, TracebackStyle } from '../../src/runtime/model.ts';
import { formatGoroutine, formatTraceback, goroutineHeader, goQuote, labelText } from '../../src/report/traceback.ts';
import { createdBy, frame, go120, go126, go127, goroutine, inlined, join, model, numbered } from './fixtures.ts';

describe('goroutineHeader', () => {
  const rows: [string, Partial<Goroutine>, TracebackStyle, string][] = [
    ['wait reason replaces waiting', {}, go127, 'goroutine 7 [chan receive]:'],
    ['waiting without a reason prints the status', { waitReason: '' }, go127, 'goroutine 7 [waiting]:'],
    ['runnable', { status: 'runnable', waitReason: '' }, go127, 'goroutine 7 [runnable]:'],
    ['running ignores a stale wait reason', { status: 'running', waitReason: 'chan receive' }, go127, 'goroutine 7 [running]:'],
    ['syscall', { status: 'syscall', waitReason: '' }, go127, 'goroutine 7 [syscall]:'],
    ['scan bit', { status: 'runnable', waitReason: '', scan: true }, go127, 'goroutine 7 [runnable (scan)]:'],
    ['scan on a waiting goroutine', { scan: true }, go127, 'goroutine 7 [chan receive (scan)]:'],
    ['1 minutes (always plural)', { waitMinutes: 1 }, go127, 'goroutine 7 [chan receive, 1 minutes]:'],
    ['no minutes below 1', { waitMinutes: 0 }, go127, 'goroutine 7 [chan receive]:'],
    ['no minutes when unknown', { waitMinutes: undefined }, go127, 'goroutine 7 [chan receive]:'],
    ['locked to thread', { lockedToThread: true }, go127, 'goroutine 7 [chan receive, locked to thread]:'],
    [
      'minutes then locked',
      { waitReason: 'chan receive (nil chan)', waitMinutes: 12, lockedToThread: true },
      go127,
      'goroutine 7 [chan receive (nil chan), 12 minutes, locked to thread]:',
    ],
    ['syscall minutes', { status: 'syscall', waitReason: '', waitMinutes: 1 }, go127, 'goroutine 7 [syscall, 1 minutes]:'],
    ['leaked with a reason', { status: 'leaked' }, go127, 'goroutine 7 [chan receive (leaked)]:'],
    [
      '1.27 labels after the bracket, quoted only when needed',
      { waitMinutes: 1, labels: { k: 'v', 'key two': 'x"y' } },
      go127,
      'goroutine 7 [chan receive, 1 minutes] {k: v, "key two": "x\\"y"}:',
    ],
    ['1.27 labels with path characters stay bare', { status: 'running', waitReason: '', labels: { 'a.b/c_d': 'GET' } }, go127, 'goroutine 7 [running] {a.b/c_d: GET}:'],
    [
      '1.27 label value with a space',
      { status: 'running', waitReason: '', labels: { pattern: 'GET /panic' } },
      go127,
      'goroutine 7 [running] {pattern: "GET /panic"}:',
    ],
    [
      '1.26 labels inside the bracket, always quoted',
      { labels: { k: 'v', 'key two': 'x"y' } },
      go126,
      'goroutine 7 [chan receive labels:{"k": "v", "key two": "x\\"y"}]:',
    ],
    [
      '1.26 labels after minutes and locked',
      { labels: { k: 'v' }, waitMinutes: 3, lockedToThread: true },
      go126,
      'goroutine 7 [chan receive, 3 minutes, locked to thread labels:{"k": "v"}]:',
    ],
    ['labels not printed before 1.26', { labels: { k: 'v' } }, go120, 'goroutine 7 [chan receive]:'],
    ['empty label set prints nothing', { labels: {} }, go127, 'goroutine 7 [chan receive]:'],
  ];
  it.each(rows)('%s', (_name, o, tb, want) => {
    expect(goroutineHeader(goroutine(7, o), tb)).toBe(want);
  });
});

describe('label quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['a.b/c_D9', 'a.b/c_D9'],
    ['a b', '"a b"'],
    ['x"y', '"x\\"y"'],
    ['back\\slash', '"back\\\\slash"'],
    ['nl\n', '"nl\\n"'],
    ['bell\u0007', '"bell\\x07"'],
    ['ünï', '"ünï"'],
  ])('%j → %s', (input, want) => {
    expect(labelText(input)).toBe(want);
  });
  it('goQuote always quotes', () => expect(goQuote('v')).toBe('"v"'));
});

describe('frames and created-by', () => {
  const rows: [string, Goroutine, TracebackStyle, boolean, string][] = [
    [
      'physical frame with +0x, inlined frame without',
      goroutine(19, {
        frames: [
          inlined('main.inl', { line: 17, pc: 0x401025 }),
          frame('main.outer', { args: '0x0?', line: 20, pc: 0x401025 }),
        ],
        createdBy: createdBy('main.main'),
      }),
      go127,
      false,
      'goroutine 19 [chan receive]:\nmain.inl(...)\n\t/app/main.go:17\nmain.outer(0x0?)\n\t/app/main.go:20 +0x25\ncreated by main.main in goroutine 1\n\t/app/main.go:39 +0x136\n',
    ],
    [
      'no +0x when pc == entry',
      goroutine(5, { frames: [frame('main.f', { pc: 0x401000, entry: 0x401000 })] }),
      go127,
      false,
      'goroutine 5 [chan receive]:\nmain.f()\n\t/app/main.go:10\n',
    ],
    [
      'created by without goroutine before 1.21',
      goroutine(10, { createdBy: createdBy('main.main', { line: 36, pc: 0x40112c }) }),
      go120,
      false,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\ncreated by main.main\n\t/app/main.go:36 +0x12c\n',
    ],
    [
      'created by with unknown parent',
      goroutine(10, { createdBy: createdBy('main.main', { goroutine: undefined }) }),
      go127,
      false,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\ncreated by main.main\n\t/app/main.go:39 +0x136\n',
    ],
    [
      'created by with parent 0',
      goroutine(10, { createdBy: createdBy('main.main', { goroutine: 0 }) }),
      go127,
      false,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\ncreated by main.main\n\t/app/main.go:39 +0x136\n',
    ],
    [
      'created by at the function entry has no +0x',
      goroutine(10, { createdBy: createdBy('main.main', { pc: 0x401000 }) }),
      go127,
      false,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\ncreated by main.main in goroutine 1\n\t/app/main.go:39\n',
    ],
    [
      'hidden creator omitted at level 1',
      goroutine(10, { createdBy: createdBy('runtime.gcenable', { visible: false }) }),
      go127,
      false,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\n',
    ],
    [
      'hidden creator printed with all',
      goroutine(10, { createdBy: createdBy('runtime.gcenable', { visible: false }) }),
      go127,
      true,
      'goroutine 10 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x20\ncreated by runtime.gcenable in goroutine 1\n\t/app/main.go:39 +0x136\n',
    ],
    [
      'runtime frames hidden at level 1',
      goroutine(3, {
        frames: [frame('runtime.gopark', { args: '0x0?', file: '/go/src/runtime/proc.go', line: 435 }), frame('main.worker', { args: '0xc000010018' })],
      }),
      go127,
      false,
      'goroutine 3 [chan receive]:\nmain.worker(0xc000010018)\n\t/app/main.go:10 +0x20\n',
    ],
    [
      'runtime frames shown with all',
      goroutine(3, {
        frames: [frame('runtime.gopark', { args: '0x0?', file: '/go/src/runtime/proc.go', line: 435 }), frame('main.worker', { args: '0xc000010018' })],
      }),
      go127,
      true,
      'goroutine 3 [chan receive]:\nruntime.gopark(0x0?)\n\t/go/src/runtime/proc.go:435 +0x20\nmain.worker(0xc000010018)\n\t/app/main.go:10 +0x20\n',
    ],
    [
      'all frames hidden: print them all (not-yet-started goroutine, §9.6)',
      goroutine(5, {
        status: 'runnable',
        waitReason: '',
        frames: [
          frame('main.main.gowrap1', { visible: false, line: 13, pc: 0x401000 }),
          frame('runtime.goexit', { args: '{}', file: '/usr/local/go/src/runtime/asm_amd64.s', line: 1264, pc: 0x401001 }),
        ],
        createdBy: createdBy('main.main', { line: 13, pc: 0x401028 }),
      }),
      go127,
      false,
      'goroutine 5 [runnable]:\nmain.main.gowrap1()\n\t/app/main.go:13\nruntime.goexit({})\n\t/usr/local/go/src/runtime/asm_amd64.s:1264 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:13 +0x28\n',
    ],
    [
      'running on another thread',
      goroutine(4, { status: 'running', waitReason: '', frames: [], fromRegisters: false, createdBy: createdBy('main.main') }),
      go127,
      false,
      'goroutine 4 [running]:\n\tgoroutine running on other thread; stack unavailable\ncreated by main.main in goroutine 1\n\t/app/main.go:39 +0x136\n',
    ],
    [
      'unreadable stack',
      goroutine(4, { frames: [], unwindError: 'pc 0x0 is not in any function' }),
      go127,
      false,
      'goroutine 4 [chan receive]:\n\t(stack unavailable: pc 0x0 is not in any function)\n',
    ],
    [
      'running goroutine unwound from registers',
      goroutine(1, { status: 'running', waitReason: '', fromRegisters: true, frames: [frame('main.main', { pc: 0x4011fb })] }),
      go127,
      false,
      'goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1fb\n',
    ],
  ];
  it.each(rows)('%s', (_name, g, tb, all, want) => {
    expect(formatGoroutine(g, tb, all)).toBe(want);
  });
});

/** n visible frames named f0 … f(n-1), pc − entry = index + 1. */
function deep(n: number, hidden: (i: number) => boolean = () => false, isInlined: (i: number) => boolean = () => false): Frame[] {
  return numbered(
    Array.from({ length: n }, (_, i) =>
      frame(`main.f${i}`, { visible: !hidden(i), inlined: isInlined(i), args: isInlined(i) ? '...' : '', pc: 0x401001 + i }),
    ),
  );
}

function frameNames(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('\t') && !l.startsWith('goroutine '));
}

describe('elision, Go 1.21+ (first 50, ...N frames elided..., last 50)', () => {
  const tb = go127;
  it.each([
    [100, 100, undefined],
    [101, 100, '...1 frames elided...'],
    [121, 100, '...21 frames elided...'],
    [1000, 100, '...900 frames elided...'],
  ])('%i visible frames → %i printed, marker %s', (n, printed, marker) => {
    const lines = frameNames(formatGoroutine(goroutine(1, { frames: deep(n) }), tb, false));
    const frames = lines.filter((l) => !l.startsWith('...'));
    expect(frames.length).toBe(printed);
    expect(lines.filter((l) => l.startsWith('...'))).toEqual(marker === undefined ? [] : [marker]);
    if (marker !== undefined) {
      expect(lines[49]).toBe('main.f49()');
      expect(lines[50]).toBe(marker);
      expect(lines[51]).toBe(`main.f${n - 50}()`);
      expect(lines[100]).toBe(`main.f${n - 1}()`);
    }
  });
  it('hidden frames do not count', () => {
    const lines = frameNames(formatGoroutine(goroutine(1, { frames: deep(120, (i) => i % 6 === 0) }), tb, false));
    expect(lines.length).toBe(100);
    expect(lines.some((l) => l.startsWith('...'))).toBe(false);
  });
  it('hidden frames count with all', () => {
    const lines = frameNames(formatGoroutine(goroutine(1, { frames: deep(120, (i) => i % 6 === 0) }), tb, true));
    expect(lines).toContain('...20 frames elided...');
  });
  it('inlined frames count (logical frames)', () => {
    const lines = frameNames(formatGoroutine(goroutine(1, { frames: deep(110, () => false, (i) => i % 2 === 0) }), tb, false));
    expect(lines).toContain('...10 frames elided...');
  });
});

describe('elision, Go ≤1.20 (100 physical frames walked, marker when exactly 100 printed)', () => {
  const tb = go120;
  const run = (frames: Frame[], all = false): string[] => frameNames(formatGoroutine(goroutine(1, { frames }), tb, all));
  it('150 visible frames → 100 printed + marker', () => {
    const lines = run(deep(150));
    expect(lines.length).toBe(101);
    expect(lines[99]).toBe('main.f99()');
    expect(lines[100]).toBe('...additional frames elided...');
  });
  it('exactly 100 frames → marker (runtime prints it whenever 100 were printed)', () => {
    const lines = run(deep(100));
    expect(lines.length).toBe(101);
    expect(lines[100]).toBe('...additional frames elided...');
  });
  it('99 frames → no marker', () => {
    expect(run(deep(99)).length).toBe(99);
  });
  it('121 deep with 2 hidden runtime frames → 98 printed, no marker (runtime/traceback.go, the elision in traceback1)', () => {
    const lines = run(deep(121, (i) => i === 0 || i === 1));
    expect(lines.length).toBe(98);
    expect(lines[0]).toBe('main.f2()');
    expect(lines[97]).toBe('main.f99()');
  });
  it('inlined frames share their physical frame budget slot', () => {
    // 150 physical frames each preceded by one inlined frame: the walk covers 100 physical = 200 logical.
    const lines = run(deep(300, () => false, (i) => i % 2 === 0));
    expect(lines.length).toBe(200);
    expect(lines.some((l) => l.startsWith('...'))).toBe(false);
  });
  it('all-hidden fallback inside the budget', () => {
    const lines = run(deep(3, () => true));
    expect(lines).toEqual(['main.f0()', 'main.f1()', 'main.f2()']);
  });
});

describe('formatTraceback', () => {
  it('reproduces the Go 1.27 runtime.Stack example (runtime/traceback.go)', () => {
    const rt = '/usr/local/go/src/runtime';
    const m = model([
      goroutine(1, { status: 'running', waitReason: '', fromRegisters: true, frames: [frame('main.main', { line: 50, pc: 0x4011fb })] }),
      goroutine(2, { system: true, waitReason: 'force gc (idle)', frames: [frame('runtime.forcegchelper', { visible: false })] }),
      goroutine(19, {
        frames: [
          frame('runtime.gopark', { file: `${rt}/proc.go`, line: 435 }),
          inlined('main.inl', { line: 17 }),
          frame('main.outer', { args: '0x0?', line: 20, pc: 0x401025 }),
          frame('runtime.goexit', { args: '{}', file: `${rt}/asm_amd64.s`, line: 1264, pc: 0x401001 }),
        ],
        createdBy: createdBy('main.main', { line: 39, pc: 0x401136 }),
      }),
      goroutine(20, {
        waitReason: 'sleep',
        frames: [
          frame('time.Sleep', { args: '0x34630b8a000', file: `${rt}/time.go`, line: 368, pc: 0x401165 }),
          frame('main.many', { args: '0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0xa, ...', line: 23, pc: 0x40101d }),
        ],
        createdBy: createdBy('main.main', { line: 40, pc: 0x401145 }),
      }),
      goroutine(22, {
        waitReason: 'sync.Mutex.Lock',
        frames: [
          frame('internal/sync.runtime_SemacquireMutex', { args: '0x0?, 0x0?, 0x0?', file: `${rt}/sema.go`, line: 95, pc: 0x401025 }),
          frame('internal/sync.(*Mutex).lockSlow', { args: '0x595238', file: '/usr/local/go/src/internal/sync/mutex.go', line: 149, pc: 0x40115a }),
          inlined('internal/sync.(*Mutex).Lock', { file: '/usr/local/go/src/internal/sync/mutex.go', line: 70 }),
          inlined('sync.(*Mutex).Lock', { file: '/usr/local/go/src/sync/mutex.go', line: 46 }),
          frame('main.main.func3', { line: 36, pc: 0x401034 }),
        ],
        createdBy: createdBy('main.main', { line: 36, pc: 0x401145 }),
      }),
    ]);
    expect(join(formatTraceback(m, { all: false }))).toBe(`goroutine 1 [running]:
main.main()
	/app/main.go:50 +0x1fb

goroutine 19 [chan receive]:
main.inl(...)
	/app/main.go:17
main.outer(0x0?)
	/app/main.go:20 +0x25
created by main.main in goroutine 1
	/app/main.go:39 +0x136

goroutine 20 [sleep]:
time.Sleep(0x34630b8a000)
	/usr/local/go/src/runtime/time.go:368 +0x165
main.many(0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0x0?, 0xa, ...)
	/app/main.go:23 +0x1d
created by main.main in goroutine 1
	/app/main.go:40 +0x145

goroutine 22 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x595238)
	/usr/local/go/src/internal/sync/mutex.go:149 +0x15a
internal/sync.(*Mutex).Lock(...)
	/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.main.func3()
	/app/main.go:36 +0x34
created by main.main in goroutine 1
	/app/main.go:36 +0x145
`);
  });

  it('all: system goroutines and every frame, in model order', () => {
    const m = model([
      goroutine(2, { system: true, waitReason: 'force gc (idle)', frames: [frame('runtime.forcegchelper', { visible: false, line: 5 })] }),
      goroutine(1, { frames: [frame('runtime.gopark', { line: 4 }), frame('main.main', { line: 9 })] }),
    ]);
    expect(join(formatTraceback(m, { all: true }))).toBe(
      'goroutine 2 [force gc (idle)]:\nruntime.forcegchelper()\n\t/app/main.go:5 +0x20\n\n' +
        'goroutine 1 [chan receive]:\nruntime.gopark()\n\t/app/main.go:4 +0x20\nmain.main()\n\t/app/main.go:9 +0x20\n',
    );
  });

  it('nothing to print → empty output', () => {
    expect(join(formatTraceback(model([]), { all: false }))).toBe('');
    expect(join(formatTraceback(model([goroutine(2, { system: true })]), { all: false }))).toBe('');
  });

  it('streams one chunk per goroutine and copes with 100k goroutines', () => {
    const gs = Array.from({ length: 100_000 }, (_, i) =>
      goroutine(i + 1, { frames: [frame('runtime.gopark'), frame('main.worker', { args: '0x1' })], createdBy: createdBy('main.main') }),
    );
    // Timing at this scale: bench/scale.ts (real cores), not a unit test.
    let chunks = 0;
    let bytes = 0;
    let last = '';
    for (const c of formatTraceback(model(gs), { all: false })) {
      chunks++;
      bytes += c.length;
      last = c;
    }
    expect(chunks).toBe(100_000);
    expect(bytes).toBeGreaterThan(100_000 * 50);
    expect(last.startsWith('\ngoroutine 100000 [chan receive]:\n')).toBe(true);
    expect(last.endsWith('+0x136\n')).toBe(true);
  });
});
