/**
 * Timing of the pclntab decoder on real executables:
 *   node_modules/.bin/node bench/gosym-pclntab.ts <exe> [<exe>…]
 * Prints parse time, findFunc/fileLine/inlineFrames throughput over 100k pseudo-random PCs, and funcByName map build.
 */
import { PclnTable } from '../src/format/gosym/index.ts';
import { openExe, pclnFromElf } from '../test/support/exe.ts';

for (const path of process.argv.slice(2)) {
  const { data, ctx } = pclnFromElf(openExe(path));
  const best = (fn: () => void): number => {
    let b = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      fn();
      b = Math.min(b, performance.now() - t0);
    }
    return b;
  };
  let t!: PclnTable;
  const parse = best(() => (t = PclnTable.parse(data, ctx)));
  const lo = t.entries[0]!;
  const span = t.entries[t.nfunc]! - lo;
  const pcs = Array.from({ length: 100_000 }, (_, i) => lo + ((i * 2654435761) % span));
  const fresh = (): PclnTable => PclnTable.parse(data, ctx);
  let t2 = fresh();
  const find = best(() => {
    t2 = fresh();
    for (const pc of pcs) t2.findFunc(pc);
  });
  const fileLine = best(() => {
    for (const pc of pcs) {
      const f = t2.findFunc(pc);
      if (f) t2.fileLine(f, pc);
    }
  });
  const inl = best(() => {
    for (const pc of pcs) {
      const f = t2.findFunc(pc);
      if (f) t2.inlineFrames(f, pc);
    }
  });
  const byName = best(() => fresh().funcByName('runtime.main'));
  console.log(
    `${path}: pclntab ${t.version} (go1.${t.goMinor} ${t.minorSource}), nfunc ${t.nfunc}, ${(data.length / 1e6).toFixed(1)} MB | ` +
      `parse ${parse.toFixed(1)} ms | 100k findFunc (cold Func cache) ${find.toFixed(1)} ms | 100k findFunc+fileLine ${fileLine.toFixed(1)} ms | ` +
      `100k findFunc+inlineFrames ${inl.toFixed(1)} ms | parse+funcByName map ${byName.toFixed(1)} ms`,
  );
}
