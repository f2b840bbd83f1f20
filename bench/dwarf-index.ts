/**
 * Timing of the DWARF indexer (src/format/dwarf) on real executables, moved out of
 * test/format/dwarf/samples.test.ts (unit tests assert behaviour, not wall time):
 *   node_modules/.bin/node bench/dwarf-index.ts [<exe>…]     (default: every sample exe with DWARF)
 * Prints one Markdown row per executable: .debug_info size and the best of 3 parseDwarf times.
 */
import { parseDwarf } from '../src/format/dwarf/index.ts';
import { dwarfSections, openExe } from '../test/support/exe.ts';
import { listSampleBuilds, sampleName, samplePath } from '../test/support/samples.ts';

const args = process.argv.slice(2);
const exes: [string, string][] =
  args.length > 0
    ? args.map((p) => [p, p])
    : await Promise.all(listSampleBuilds().filter((b) => !b.variant.includes('stripped')).map(async (b) => [sampleName(b), await samplePath(b, 'exe')] as [string, string]));

process.stdout.write('| executable | .debug_info bytes | parseDwarf ms (best of 3) |\n| --- | ---: | ---: |\n');
for (const [name, exe] of exes) {
  const sections = dwarfSections(openExe(exe));
  if (sections === undefined) {
    process.stdout.write(`| ${name} | no DWARF | |\n`);
    continue;
  }
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    parseDwarf(sections);
    best = Math.min(best, performance.now() - t0);
  }
  process.stdout.write(`| ${name} | ${sections.info.length} | ${best.toFixed(1)} |\n`);
}
