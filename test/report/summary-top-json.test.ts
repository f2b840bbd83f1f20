import { describe, expect, it } from 'vitest';
import { isRuntimeHelper, statusText, userFrame } from '../../src/report/common.ts';
import { formatJson, jsonSchema } from '../../src/report/json.ts';
import { formatSummary, stateColumn, whereColumn } from '../../src/report/summary.ts';
import { formatTop, percent, topBuckets } from '../../src/report/top.ts';
import { createdBy, frame, goroutine, join, model } from './fixtures.ts';

const sample = model(
  [
    goroutine(1, { status: 'running', waitReason: '', fromRegisters: true, lockedToThread: true, frames: [frame('main.main', { line: 50 })] }),
    goroutine(2, { system: true, waitReason: 'force gc (idle)', frames: [frame('runtime.forcegchelper', { visible: false })] }),
    goroutine(18, { waitMinutes: 12, frames: [frame('runtime.gopark'), frame('main.worker', { line: 42 })], createdBy: createdBy('main.main') }),
    goroutine(19, { frames: [frame('runtime.gopark'), frame('main.worker', { line: 42 })], labels: { k: 'v' } }),
    goroutine(1022, {
      waitReason: 'sync.Mutex.Lock',
      frames: [frame('internal/sync.runtime_SemacquireMutex'), frame('internal/sync.(*Mutex).lockSlow', { line: 149 }), frame('main.main.func3', { line: 36 })],
    }),
    goroutine(23, { status: 'running', waitReason: '', frames: [] }),
    goroutine(24, { status: 'runnable', waitReason: '', frames: [], unwindError: 'bad pc 0x0' }),
  ],
  { warnings: [{ kind: 'wait-minutes-estimated', message: 'wait minutes are estimated' }] },
);

describe('common', () => {
  it.each([
    ['runtime.gopark', true],
    ['runtime/internal/atomic.Load', true],
    ['internal/runtime/syscall.Syscall6', true],
    ['sync.runtime_SemacquireMutex', true],
    ['internal/poll.runtime_pollWait', true],
    ['panic', true],
    ['runtime/pprof.Do', false],
    ['internal/sync.(*Mutex).lockSlow', false],
    ['main.main', false],
    ['example.com/runtime_x.Run', false],
  ])('isRuntimeHelper(%s) = %s', (fn, want) => expect(isRuntimeHelper(fn)).toBe(want));

  it('userFrame skips hidden and runtime frames, falls back to the first visible, then the first', () => {
    expect(userFrame(goroutine(1, { frames: [frame('runtime.gopark'), frame('main.w')] }))?.function).toBe('main.w');
    expect(userFrame(goroutine(1, { frames: [frame('sync.runtime_Semacquire'), frame('sync.(*WaitGroup).Wait')] }))?.function).toBe(
      'sync.(*WaitGroup).Wait',
    );
    expect(userFrame(goroutine(1, { frames: [frame('main.hidden', { visible: false }), frame('main.w')] }))?.function).toBe('main.w');
    expect(userFrame(goroutine(1, { frames: [frame('runtime.Gosched', { visible: true }), frame('runtime.x', { visible: false })] }))?.function).toBe(
      'runtime.Gosched',
    );
    expect(userFrame(goroutine(1, { frames: [frame('runtime.a', { visible: false })] }))?.function).toBe('runtime.a');
    expect(userFrame(goroutine(1, { frames: [] }))).toBeUndefined();
  });

  it('statusText', () => {
    expect(statusText(goroutine(1))).toBe('chan receive');
    expect(statusText(goroutine(1, { waitReason: '' }))).toBe('waiting');
    expect(statusText(goroutine(1, { status: 'leaked', waitReason: 'select' }))).toBe('select');
    expect(statusText(goroutine(1, { status: 'syscall', waitReason: 'x' }))).toBe('syscall');
  });
});

describe('summary', () => {
  const text = join(formatSummary(sample, { all: false }));
  it('head lines', () => {
    expect(text).toContain('executable: /app/server\n');
    expect(text).toContain('go:         go1.27.0 linux/amd64, path example.com/server, module example.com/server (devel)\n');
    expect(text).toContain('read using: layouts: DWARF; symbols: pclntab; wait reasons: runtime.waitReasonStrings\n');
    expect(text).toContain('input:      core /tmp/core.1234 (pid 1234)\n');
    expect(text).toContain('threads:    2: goroutine 1, idle 1; kernel state S 2\n');
    expect(text).toContain(
      'goroutines: 7 (1 system): waiting 4 (chan receive 2, force gc (idle) 1, sync.Mutex.Lock 1), running 2, runnable 1\n',
    );
  });
  it('one aligned line per non-system goroutine', () => {
    const table = text.slice(text.indexOf('    ID'));
    expect(table).toBe(
      [
        '    ID  STATE                 WHERE',
        '     1  running, locked       main.main (/app/main.go:50)',
        '    18  chan receive, 12 min  main.worker (/app/main.go:42)',
        '    19  chan receive          main.worker (/app/main.go:42)',
        '  1022  sync.Mutex.Lock       internal/sync.(*Mutex).lockSlow (/app/main.go:149)',
        '    23  running               (running on another thread; stack unavailable)',
        '    24  runnable              (no stack: bad pc 0x0)',
        '',
        '(1 system goroutine not shown; --all shows them)',
        '',
      ].join('\n'),
    );
  });
  it('all lists system goroutines', () => {
    const all = join(formatSummary(sample, { all: true }));
    expect(all).toContain('     2  force gc (idle)       runtime.forcegchelper (/app/main.go:10)\n');
    expect(all).not.toContain('not shown');
  });
  it('warnings only on request', () => {
    expect(text).not.toContain('warning');
    expect(join(formatSummary(sample, { all: false, warnings: true }))).toMatch(/\nwarning: wait minutes are estimated\n$/);
  });
  it('estimated and missing clocks are stated', () => {
    expect(join(formatSummary(model([], { clock: { nanotime: 1, estimated: true, source: 'sched.lastpoll' } }), { all: false }))).toContain(
      'wait times: estimated from sched.lastpoll; durations are lower bounds\n',
    );
    expect(join(formatSummary(model([], { clock: undefined }), { all: false }))).toContain('wait times: unknown');
  });
  it('state and where columns', () => {
    expect(stateColumn(goroutine(1, { waitMinutes: 3, lockedToThread: true }))).toBe('chan receive, 3 min, locked');
    expect(whereColumn(goroutine(1, { unwindError: 'loop' }))).toBe('main.worker (/app/main.go:10) [stack cut short: loop]');
    expect(whereColumn(goroutine(1, { torn: true }))).toBe('main.worker (/app/main.go:10) [torn: changed while copied]');
  });
  it('empty model', () => {
    expect(join(formatSummary(model([]), { all: false }))).not.toContain('STATE');
  });
});

describe('top', () => {
  it('buckets by user-level function, sorted by count then name, with status mix', () => {
    const { total, buckets } = topBuckets(sample, { all: false });
    expect(total).toBe(6);
    expect(buckets.map((b) => [b.function, b.count])).toEqual([
      ['main.worker', 2],
      ['(no stack)', 1],
      ['(running on another thread)', 1],
      ['internal/sync.(*Mutex).lockSlow', 1],
      ['main.main', 1],
    ]);
    expect(buckets[0]!.share).toBeCloseTo(2 / 6);
  });
  it('status mix ordering', () => {
    const gs = [
      ...Array.from({ length: 120 }, (_, i) => goroutine(i + 1)),
      ...Array.from({ length: 3 }, (_, i) => goroutine(200 + i, { waitReason: 'select' })),
      goroutine(300, { status: 'runnable', waitReason: '' }),
    ];
    const text = join(formatTop(model(gs), { all: false }));
    expect(text).toBe(
      '124 goroutines in 1 group\n\n' +
        '  COUNT   SHARE  FUNCTION     STATES\n' +
        '    124  100.0%  main.worker  chan receive×120, select×3, runnable×1\n',
    );
  });
  it('renders the table', () => {
    const text = join(formatTop(sample, { all: false }));
    expect(text).toContain('6 goroutines in 5 groups (1 system goroutine not shown; --all shows them)\n');
    expect(text).toContain('      2  33.3%  main.worker                      chan receive×2\n');
  });
  it('percent', () => {
    expect(percent(1)).toBe('100.0%');
    expect(percent(0.00001)).toBe('<0.1%');
    expect(percent(0)).toBe('0.0%');
  });
  it('groups 100k goroutines over 1k functions', () => {
    // Timing at this scale: bench/scale.ts (real cores), not a unit test.
    const gs = Array.from({ length: 100_000 }, (_, i) => goroutine(i + 1, { frames: [frame(`main.f${i % 1000}`)] }));
    const { buckets } = topBuckets(model(gs), { all: false });
    expect(buckets.length).toBe(1000);
    expect(buckets.every((b) => b.count === 100)).toBe(true);
  });
});

describe('json', () => {
  it('summary/stacks: versioned document with one goroutine object per line', () => {
    const chunks = [...formatJson(sample, { report: 'stacks', all: false })];
    const doc = JSON.parse(chunks.join(''));
    expect(doc.schema).toBe(jsonSchema);
    expect(doc.report).toBe('stacks');
    expect(doc.goVersion).toBe('go1.27.0');
    expect(doc.arch).toBe('amd64');
    expect(doc.executable).toBe('/app/server');
    expect(doc.threads[0]).toEqual({ tid: 1234, state: 'S', role: 'goroutine', goroutine: 1, mId: 0, pc: '0x401000', function: 'main.main' });
    expect(doc.goroutines.map((g: { id: number }) => g.id)).toEqual([1, 18, 19, 1022, 23, 24]);
    expect(doc.goroutines[1]).toEqual({
      id: 18,
      address: '0xc000012000',
      status: 'waiting',
      scan: false,
      waitReason: 'chan receive',
      waitMinutes: 12,
      lockedToThread: false,
      system: false,
      thread: null,
      startFunction: 'main.worker',
      fromRegisters: false,
      unwindError: null,
      torn: false,
      frames: [
        { function: 'runtime.gopark', args: '', file: '/app/main.go', line: 10, pc: '0x401020', entry: '0x401000', inlined: false, visible: false },
        { function: 'main.worker', args: '', file: '/app/main.go', line: 42, pc: '0x401020', entry: '0x401000', inlined: false, visible: true },
      ],
      createdBy: { function: 'main.main', file: '/app/main.go', line: 39, pc: '0x401136', goroutine: 1, visible: true },
      labels: null,
    });
    expect(doc.goroutines[2].labels).toEqual({ k: 'v' });
    expect(doc.warnings).toEqual([{ kind: 'wait-minutes-estimated', message: 'wait minutes are estimated' }]);
    expect(chunks.length).toBeGreaterThanOrEqual(6 + 3);
    expect(chunks.join('').endsWith('}\n')).toBe(true);
  });
  it('all includes system goroutines', () => {
    const doc = JSON.parse(join(formatJson(sample, { report: 'summary', all: true })));
    expect(doc.goroutines.length).toBe(7);
    expect(doc.all).toBe(true);
  });
  it('top: buckets instead of goroutines', () => {
    const doc = JSON.parse(join(formatJson(sample, { report: 'top', all: false })));
    expect(doc.goroutines).toBeUndefined();
    expect(doc.total).toBe(6);
    expect(doc.buckets[0]).toEqual({
      function: 'main.worker',
      location: '/app/main.go:42',
      count: 2,
      share: 2 / 6,
      statuses: [{ status: 'chan receive', count: 2 }],
    });
  });
  it('empty and optional parts are valid JSON', () => {
    const doc = JSON.parse(join(formatJson(model([], { buildInfo: undefined, clock: undefined }), { report: 'summary', all: false })));
    expect(doc.goroutines).toEqual([]);
    expect(doc.buildInfo).toBeNull();
    expect(doc.clock).toBeNull();
    expect(JSON.parse(join(formatJson(model([]), { report: 'top', all: false }))).buckets).toEqual([]);
  });
});
