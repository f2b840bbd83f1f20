/**
 * The golden comparison itself (test/support/traceback-text.ts compareDumps) must fail both ways:
 * a goroutine of the runtime's dump missing from gospy's, a goroutine gospy printed that the runtime
 * did not, and one printed twice. Run on a real oracle (states, go1.27 static: stack.txt) taken as
 * "ours" and then changed.
 */
import { describe, expect, it } from 'vitest';
import { listSampleBuilds, readSampleText, sampleName } from '../support/samples.ts';
import { compareDumps, type DumpBlock, parseDump } from '../support/traceback-text.ts';

const build = listSampleBuilds().find((b) => sampleName(b) === 'states/go1.27-amd64-static');
const oracle = parseDump(readSampleText(build!, 'stack.txt') ?? '');
const opts = { skip: oracle[0]!, elsewhereMustBeBusy: true };
const parked = oracle.find((x) => x.status === 'chan receive')!;
const busy = oracle.find((x) => x.status === 'runnable')!;

/** A copy of `b` under another goroutine id. */
function renumbered(b: DumpBlock, id: number): DumpBlock {
  const text = b.text.replace(/^goroutine \d+/, `goroutine ${id}`);
  return { ...b, id, header: text.split('\n')[0]!, text };
}

describe('compareDumps fails in both directions', () => {
  it('the oracle against itself: no mismatch, every parked goroutine compared', () => {
    expect(build, 'sample states/go1.27-amd64-static').toBeDefined();
    expect(oracle.length).toBeGreaterThan(20);
    const r = compareDumps(oracle, oracle, opts);
    expect(r.mismatches).toEqual([]);
    // all but the writer (the two spinners are runnable in both, so their stacks are compared too)
    expect(r.compared).toBe(oracle.length - 1);
  });

  it('a missing goroutine fails', () => {
    const r = compareDumps(oracle, oracle.filter((x) => x !== parked), opts);
    expect(r.mismatches).toEqual([`goroutine ${parked.id} missing`]);
  });

  it('a missing CPU-busy goroutine fails too (busy ones are excused their stack, not their presence)', () => {
    const r = compareDumps(oracle, oracle.filter((x) => x !== busy), opts);
    expect(r.mismatches).toEqual([`goroutine ${busy.id} missing`]);
  });

  it('an extra goroutine fails', () => {
    const extra = renumbered(parked, 9999);
    const r = compareDumps(oracle, [...oracle, extra], opts);
    expect(r.mismatches).toEqual([`goroutine 9999 printed by gospy but not by the runtime:\n${extra.text}`]);
  });

  it('an extra CPU-busy goroutine fails too', () => {
    const r = compareDumps(oracle, [...oracle, renumbered(busy, 9998)], opts);
    expect(r.mismatches.map((m) => m.split('\n')[0])).toEqual(['goroutine 9998 printed by gospy but not by the runtime:']);
  });

  it('a duplicated goroutine fails, even with the same text', () => {
    const r = compareDumps(oracle, [...oracle, parked], opts);
    expect(r.mismatches).toEqual([`goroutine ${parked.id} printed more than once by gospy:\n${parked.text}\n${parked.text}`]);
  });

  it('the goroutine that wrote the dump may be absent or different (it moved on)', () => {
    expect(compareDumps(oracle, oracle.slice(1), opts).mismatches).toEqual([]);
    const moved = { ...oracle[0]!, text: `${oracle[0]!.header}\nmain.main()\n\t/x.go:1 +0x1`, body: 'main.main()\n\t/x.go:1 +0x1' };
    expect(compareDumps(oracle, [moved, ...oracle.slice(1)], opts).mismatches).toEqual([]);
  });

  it('a different stack fails', () => {
    const changed = { ...parked, text: parked.text.replace(/\+0x[0-9a-f]+/, '+0x1') };
    const r = compareDumps(oracle, oracle.map((x) => (x === parked ? changed : x)), opts);
    expect(r.mismatches).toEqual([`--- runtime\n${parked.text}\n+++ gospy\n${changed.text}`]);
  });
});
