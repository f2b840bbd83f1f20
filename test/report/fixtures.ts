/** Hand-built ProcessModel pieces for report tests. */
import type { CreatedBy, Frame, Goroutine, ProcessModel, TracebackStyle } from '../../src/runtime/model.ts';

export function frame(fn: string, o: Partial<Frame> = {}): Frame {
  return {
    function: fn,
    file: '/app/main.go',
    line: 10,
    pc: 0x401020,
    entry: 0x401000,
    inlined: false,
    args: '',
    visible: !fn.startsWith('runtime.'),
    sp: 0,
    fp: 0,
    physical: 0,
    ...o,
  };
}

/** Number the physical frames of a stack innermost first (inlined frames share their caller's number). */
export function numbered(frames: Frame[]): Frame[] {
  let physical = 0;
  return frames.map((f) => {
    const g = { ...f, physical };
    if (!f.inlined) physical++;
    return g;
  });
}

export function inlined(fn: string, o: Partial<Frame> = {}): Frame {
  return frame(fn, { inlined: true, args: '...', ...o });
}

export function createdBy(fn: string, o: Partial<CreatedBy> = {}): CreatedBy {
  return { function: fn, file: '/app/main.go', line: 39, pc: 0x401136, entry: 0x401000, goroutine: 1, visible: true, ...o };
}

export function goroutine(id: number, o: Partial<Goroutine> = {}): Goroutine {
  return {
    id,
    address: 0xc000000000 + id * 0x1000,
    status: 'waiting',
    statusCode: 4,
    scan: false,
    waitReason: 'chan receive',
    waitMinutes: undefined,
    lockedToThread: false,
    system: false,
    thread: undefined,
    startFunction: 'main.worker',
    frames: [frame('main.worker')],
    fromRegisters: false,
    createdBy: undefined,
    labels: undefined,
    unwindError: undefined,
    torn: false,
    ...o,
  };
}

export const go127: TracebackStyle = { createdByGoroutine: true, elision: 'head50tail50', genericNames: 'abbreviate-groups', labels: 'after' };
export const go126: TracebackStyle = { createdByGoroutine: true, elision: 'head50tail50', genericNames: 'abbreviate', labels: 'inside' };
export const go120: TracebackStyle = { createdByGoroutine: false, elision: 'budget100', genericNames: 'raw', labels: 'none' };

export function model(goroutines: Goroutine[], o: Partial<ProcessModel> = {}): ProcessModel {
  return {
    goVersion: 'go1.27.0',
    arch: 'amd64',
    executable: '/app/server',
    goroot: '/usr/local/go',
    executableFoundBy: 'argument',
    input: { path: '/tmp/core.1234', kind: 'core', pid: 1234 },
    provenance: { layouts: 'DWARF', symbols: 'pclntab', waitReasons: 'runtime.waitReasonStrings' },
    buildInfo: { path: 'example.com/server', mainModule: 'example.com/server', mainVersion: '(devel)', settings: [['GOARCH', 'amd64']] },
    threads: [
      { tid: 1234, state: 'S', role: 'goroutine', goroutine: 1, mId: 0, pc: 0x401000, function: 'main.main' },
      { tid: 1235, state: 'S', role: 'idle', goroutine: undefined, mId: 1, pc: 0x402000, function: 'runtime.futex' },
    ],
    goroutines,
    clock: { nanotime: 1e12, estimated: false, source: 'snapshot' },
    traceback: go127,
    warnings: [],
    ...o,
  };
}

export function join(chunks: Iterable<string>): string {
  let s = '';
  for (const c of chunks) s += c;
  return s;
}
