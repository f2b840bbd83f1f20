/**
 * Recovery from code (src/runtime/symbols/recover.ts) against the strongest oracle there is: on
 * every committed sample whose executable still has its symbol table, every global recovered from
 * the code must sit exactly where .symtab says, and the required ones must all be recovered; with
 * external linking the TLS slot of g found in the core must be the one runtime.tlsg gives.
 * (Stripped samples are covered end to end by test/golden/*.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { openCore } from '../../src/memory/open-core.ts';
import { coreTarget } from '../../src/runtime/target.ts';
import { segmentImage } from '../../src/memory/executable.ts';
import { Mem } from '../../src/runtime/mem.ts';
import { tableLayout } from '../../src/runtime/layouts/go-tables.ts';
import { parseGoVersion } from '../../src/runtime/version.ts';
import { recoverGlobals } from '../../src/runtime/symbols/recover.ts';
import { recoverGSlot } from '../../src/runtime/symbols/tls-slot.ts';
import { amd64GSlot, readMs } from '../../src/runtime/threads.ts';
import { readProcess } from '../../src/runtime/process.ts';
import { formatTraceback } from '../../src/report/traceback.ts';
import type { Target } from '../../src/runtime/target.ts';
import { hasSampleFile, listSampleBuilds, readSampleText, sampleName, samplePath } from '../support/samples.ts';
import { compareDumps, minutesOf, parseDump, withMinutes } from '../support/traceback-text.ts';

const withSymbols = listSampleBuilds().filter(
  (b) => b.meta['stripped'] !== true && !b.variant.includes('stripped') && hasSampleFile(b, 'core'),
);

describe('globals recovered from code equal the symbol table', () => {
  it('has unstripped samples with cores', () => expect(withSymbols.length).toBeGreaterThan(0));

  it.each(withSymbols.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const core = await openCore(await samplePath(b, 'core'), { exePath: await samplePath(b, 'exe') });
    try {
      const target = coreTarget(core, 'core', 'argument');
      const minor = parseGoVersion(target.goVersion!)!.minor;
      const mem = new Mem(target.memory);
      const layout = tableLayout(minor).layout;
      const rec = recoverGlobals({
        image: target.exe,
        mem,
        loadBias: target.loadBias,
        minor,
        layout,
        threadIds: target.threads.map((t) => t.tid),
      });
      expect(rec.missing).toEqual([]);
      // Without section headers (pclntab found by its magic alone) the answer is the same.
      const image = target.exe;
      const bare = recoverGlobals({
        image: segmentImage(image.arch!, image.segments),
        mem, loadBias: target.loadBias, minor, layout, threadIds: target.threads.map((t) => t.tid),
      });
      expect(bare.linkTime).toEqual(rec.linkTime);
      const want = ['runtime.firstmoduledata', 'runtime.allgs', 'runtime.allglen', 'runtime.allm', 'runtime.sched'] as const;
      const got = Object.fromEntries(want.map((n) => [n, rec.linkTime.get(n)?.toString(16)]));
      const sym = Object.fromEntries(want.map((n) => [n, target.exe.symbol(n)?.value.toString(16)]));
      expect(got).toEqual(sym);
      for (const n of want) expect(rec.globals.get(n)?.addr).toBe(target.exe.symbol(n)!.value + target.loadBias);
      // External linking: the g slot found in the core equals the one runtime.tlsg gives.
      const tlsg = target.exe.symbol('runtime.tlsg');
      if (tlsg && target.exe.tls) {
        const ms = readMs(mem, rec.globals.get('runtime.allm')!.addr, layout);
        expect(recoverGSlot(target, mem, ms)).toBe(amd64GSlot(target, tlsg.value));
      }
    } finally {
      core.close();
    }
  });
});

describe('with the symbol table and DWARF hidden, stacks still equal the runtime own dump', () => {
  it.each(withSymbols.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const core = await openCore(await samplePath(b, 'core'), { exePath: await samplePath(b, 'exe') });
    try {
      const full = coreTarget(core, 'core', 'argument');
      const target: Target = { ...full, exe: full.exe.asStripped() };
      const model = readProcess(target);
      expect(model.provenance.symbols).toBe('recovered from code');
      // Only optional globals with no recipe may be missing, each named with its effect.
      const w = model.warnings.find((x) => x.kind === 'symbols-not-recovered')?.message ?? '';
      for (const n of ['firstmoduledata', 'allgs', 'allglen', 'allm', 'sched']) expect(w).not.toContain(`runtime.${n}`);
      expect(w).toContain('runtime.waitReasonStrings: wait reasons come from the built-in table');
      const ours = parseDump([...formatTraceback(model, { all: false })].join(''));
      const oracle = parseDump(readSampleText(b, 'stack.txt') ?? '');
      const crash = readSampleText(b, 'crash.txt');
      const atCore = new Map((crash === undefined ? [] : parseDump(crash)).map((x) => [x.id, minutesOf(x.header)]));
      const { mismatches, compared } = compareDumps(oracle, ours, {
        skip: oracle[0]!,
        elsewhereMustBeBusy: true,
        alsoAccept: (want) => withMinutes(want.text, atCore.get(want.id)),
      });
      expect(compared).toBeGreaterThan(0);
      expect(mismatches, mismatches.join('\n\n')).toEqual([]);
    } finally {
      core.close();
    }
  });
});
