/**
 * What a goroutine carries beyond its frames — pprof labels, inlined calls — may point at memory the
 * input lacks or at tables that do not decode. Then the goroutine is still reported, without that
 * part, and a warning says so; any other failure (a gospy bug) is not swallowed. Before, a bare
 * `catch {}` in src/runtime/labels.ts and frames.ts dropped them silently and hid bugs alike.
 */
import { describe, expect, it } from 'vitest';
import { FormatError, UnmappedAddressError } from '../../src/base/errors.ts';
import { WarningSink } from '../../src/base/warnings.ts';
import type { CodeFunc, CodeTable } from '../../src/runtime/code.ts';
import { frameTemplates } from '../../src/runtime/frames.ts';
import { readLabels } from '../../src/runtime/labels.ts';
import { tracebackRules } from '../../src/runtime/layouts/traceback-rules.ts';
import { Mem } from '../../src/runtime/mem.ts';
import type { TargetMemory } from '../../src/runtime/target.ts';

/** Memory that holds one 8-byte word per entry and nothing else. */
function memoryOf(words: ReadonlyMap<number, number>, fail?: Error): Mem {
  const raw: TargetMemory = {
    read(addr, len, purpose) {
      if (fail !== undefined) throw fail;
      const v = words.get(addr);
      if (v === undefined || len > 8) throw new UnmappedAddressError(addr, len, purpose ?? 'test');
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
      return b.subarray(0, len);
    },
    tryRead(addr, len) {
      try {
        return this.read(addr, len);
      } catch {
        return undefined;
      }
    },
  };
  return new Mem(raw);
}

describe('pprof labels in memory the input lacks', () => {
  // Go 1.24+: g.labels → {list ptr, len}; the list itself is not in memory.
  const labelsAt = 0x1000;
  const mem = memoryOf(new Map([[labelsAt, 0xdead000], [labelsAt + 8, 1]]));

  it('are left out with one warning', () => {
    const warnings = new WarningSink();
    expect(readLabels(mem, labelsAt, 24, warnings)).toBeUndefined();
    expect(readLabels(mem, labelsAt, 24, warnings)).toBeUndefined();
    expect(warnings.list.map((w) => w.kind)).toEqual(['labels-unreadable']);
  });

  it('a failure that is not missing memory is not swallowed', () => {
    const broken = memoryOf(new Map(), new TypeError('a gospy bug'));
    expect(() => readLabels(broken, labelsAt, 24, new WarningSink())).toThrow(TypeError);
  });
});

describe('an inline tree that does not decode', () => {
  const fn: CodeFunc = { entry: 0x401000, end: 0x401100, name: 'main.worker', args: 0, special: undefined, flag: 0 };
  const physical = [{ fn, pc: 0x401020, sp: 0xc000, fp: 0xc100, argp: 0xc108, symPC: 0x40101f, calleeSpecial: undefined }];
  const codeThrowing = (err: Error): CodeTable => ({
    quantum: 1,
    findFunc: () => fn,
    funcByName: () => fn,
    pcsp: () => 0,
    fileLine: () => ({ file: '/app/main.go', line: 42 }),
    pcdata: () => -1,
    inlineFrames: () => {
      throw err;
    },
    argInfo: () => undefined,
    argLiveInfo: () => undefined,
  });
  const mem = { read8: () => undefined };

  it('shows the physical frame and warns', () => {
    const warnings = new WarningSink();
    const frames = frameTemplates(physical, codeThrowing(new FormatError('pclntab', 'inline parentPc 0x999 outside main.worker')), tracebackRules(27), warnings);
    expect(frames.map((f) => [f.function, f.file, f.line, f.inlined])).toEqual([['main.worker', '/app/main.go', 42, false]]);
    expect(warnings.list).toEqual([
      { kind: 'inline-tree-unreadable', message: 'inlined calls of main.worker are not shown: pclntab: inline parentPc 0x999 outside main.worker' },
    ]);
  });

  it('a failure that is not a decoding one is not swallowed', () => {
    expect(() => frameTemplates(physical, codeThrowing(new TypeError('a gospy bug')), tracebackRules(27), new WarningSink())).toThrow(TypeError);
  });
});
