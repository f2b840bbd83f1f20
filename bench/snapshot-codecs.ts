/**
 * Measures the .gsz chunk codecs on real Go memory (not a timed test):
 *   node_modules/.bin/node bench/snapshot-codecs.ts --pid N     the present pages of a running process's writable mappings
 *   node_modules/.bin/node bench/snapshot-codecs.ts --core F    the PT_LOAD bytes (filesz > 0) of an ELF core
 * Each input is cut into 4 MiB chunks like the writer does; one chunk at a time (single thread)
 * for speed, then the whole writer with its default concurrency.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { compressChunk, decompressChunk, CODEC_IDS } from '../src/format/snapshot/codec.ts';
import type { CodecName } from '../src/format/snapshot/schema.ts';
import { ElfFile } from '../src/format/elf/file.ts';
import { PT_LOAD } from '../src/format/elf/constants.ts';
import { openFileSource } from '../src/memory/file-source.ts';

function fromPid(pid: number): Uint8Array[] {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n');
  const mem = fs.openSync(`/proc/${pid}/mem`, 'r');
  const pm = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const out: Uint8Array[] = [];
  for (const line of maps) {
    const [range, perms] = line.split(/\s+/);
    if (!perms!.startsWith('rw')) continue;
    const [s, e] = range!.split('-').map((x) => Number.parseInt(x, 16));
    const pages = (e! - s!) / 4096;
    const ent = Buffer.alloc(pages * 8);
    fs.readSync(pm, ent, 0, ent.length, (s! / 4096) * 8);
    for (let i = 0; i < pages; i++) {
      const hi = ent.readUInt32LE(i * 8 + 4);
      if ((hi & 0xc0000000) === 0) continue; // neither present nor swapped
      const b = Buffer.alloc(4096);
      try {
        fs.readSync(mem, b, 0, 4096, s! + i * 4096);
        out.push(b);
      } catch {
        // unreadable page
      }
    }
  }
  return out;
}

function fromCore(path: string): Uint8Array[] {
  const src = openFileSource(path);
  const elf = ElfFile.parse(src);
  const out: Uint8Array[] = [];
  for (const p of elf.progs) if (p.type === PT_LOAD && p.filesz > 0) out.push(src.read(p.offset, p.filesz).slice());
  return out;
}

function chunks(parts: Uint8Array[]): Uint8Array[] {
  const all = Buffer.concat(parts);
  const out: Uint8Array[] = [];
  for (let o = 0; o < all.length; o += 4 << 20) out.push(all.subarray(o, Math.min(all.length, o + (4 << 20))));
  return out;
}

const args = process.argv.slice(2);
const parts = args[0] === '--pid' ? fromPid(Number(args[1])) : fromCore(args[1]!);
const cs = chunks(parts);
const total = cs.reduce((a, c) => a + c.length, 0);
console.log(`input ${args.join(' ')}: ${(total / 2 ** 20).toFixed(1)} MiB in ${cs.length} chunks, ${os.availableParallelism()} CPUs`);
const MiB = (n: number): string => (n / 2 ** 20).toFixed(1);
const cases: [CodecName, number][] = [['brotli', 1], ['brotli', 4], ['xz', 0], ['xz', 1], ['gzip', 1]];
const REPS = Number(process.env['REPS'] ?? 3);
/** Best of REPS runs (the machine may be shared: the fastest run is the least disturbed). */
async function best(f: () => Promise<void> | void): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await f();
    b = Math.min(b, performance.now() - t);
  }
  return b / 1000;
}
console.log('| codec | stored/raw | compress MiB/s, 1 thread | compress MiB/s, all CPUs | decompress MiB/s |');
console.log('| --- | --- | --- | --- | --- |');
for (const [codec, level] of cases) {
  const outs: Uint8Array[] = [];
  for (const c of cs) outs.push(await compressChunk(codec, c, level));
  const stored = outs.reduce((a, o) => a + o.length, 0);
  const one = await best(async () => {
    for (const c of cs) await compressChunk(codec, c, level);
  });
  const conc = os.availableParallelism();
  const all = await best(async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cs.length) await compressChunk(codec, cs[next++]!, level);
    };
    await Promise.all(Array.from({ length: conc }, worker));
  });
  const dec = await best(() => {
    for (let i = 0; i < cs.length; i++) decompressChunk(CODEC_IDS[codec], outs[i]!, cs[i]!.length, 'bench');
  });
  console.log(
    `| ${codec} ${codec === 'xz' ? 'preset' : codec === 'brotli' ? 'quality' : 'level'} ${level} | ${((stored / total) * 100).toFixed(1)} % | ` +
      `${MiB(total / one)} | ${MiB(total / all)} | ${MiB(total / dec)} |`,
  );
}
