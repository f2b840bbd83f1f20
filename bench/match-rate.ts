/**
 * Match rate per Go version and variant: how many goroutines `--report stacks` prints exactly as the
 * runtime's own runtime.Stack dump (stack.txt), and `--report stacks --all` as the crash dump taken
 * with the core (crash.txt). Same comparison rules as test/golden (see test/support/traceback-text.ts).
 *
 *   node_modules/.bin/node bench/match-rate.ts
 */
import { openModel } from '../src/runtime/open-model.ts';
import { formatTraceback } from '../src/report/traceback.ts';
import { hasSampleFile, listSampleBuilds, readSampleText, sampleName, samplePath } from '../test/support/samples.ts';
import { compareDumps, minutesOf, normalizeCrashDump, parseDump, withMinutes } from '../test/support/traceback-text.ts';

const rows: string[] = [];
for (const b of listSampleBuilds()) {
  for (const kind of ['core', 'gcore'] as const) {
    if (!hasSampleFile(b, kind)) continue;
    const model = await openModel(await samplePath(b, kind), { exe: await samplePath(b, 'exe') });
    const l1 = parseDump([...formatTraceback(model, { all: false })].join(''));
    const stack = parseDump(readSampleText(b, 'stack.txt') ?? '');
    const crash = readSampleText(b, 'crash.txt');
    const atCore = new Map((crash === undefined ? [] : parseDump(crash)).map((x) => [x.id, minutesOf(x.header)]));
    const r1 = compareDumps(stack, l1, {
      skip: stack[0]!,
      elsewhereMustBeBusy: true,
      alsoAccept: (want) => withMinutes(want.text, atCore.get(want.id)),
    });
    let l2 = '–';
    if (kind === 'core' && crash !== undefined) {
      const r2 = compareDumps(parseDump(normalizeCrashDump(crash)), parseDump([...formatTraceback(model, { all: true })].join('')));
      l2 = `${r2.compared - r2.mismatches.length}/${r2.compared}`;
    }
    rows.push(`| ${sampleName(b)} | ${kind} | ${r1.compared - r1.mismatches.length}/${r1.compared} | ${l2} |`);
  }
}
process.stdout.write('| sample | core | stacks = runtime.Stack | --all = crash dump |\n| --- | --- | --- | --- |\n' + rows.join('\n') + '\n');
