/**
 * The .gsz byte format: round trip, every codec, lazy chunk decompression, file safety of the way
 * `gospy capture` writes it (0600, atomic, no overwrite without force) and corrupt input (truncation, flipped bytes, bad magic,
 * future version) → one GospyError, never a TypeError/RangeError or a hang.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GospyError, FormatError, OutputExistsError, TruncatedError, UnsupportedError } from '../../../src/base/errors.ts';
import { H, HEADER_SIZE, INDEX_ENTRY_SIZE } from '../../../src/format/snapshot/layout.ts';
import { type Snapshot, readSnapshot, snapshotFromCapture } from '../../../src/format/snapshot/reader.ts';
import type { CaptureData, CodecName } from '../../../src/format/snapshot/schema.ts';
import { type SnapshotSink as WriteSink, type WriteOptions, writeSnapshot } from '../../../src/format/snapshot/writer.ts';
import { BufferSource } from '../../../src/base/bytes.ts';
import { openSnapshot } from '../../../src/memory/snapshot-image.ts';
import { writeSnapshotFile } from '../../support/core-to-snapshot.ts';
import { writeOutputFile } from '../../../src/base/output-file.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-gsz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random bytes with some structure (so codecs compress a little). */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = i % 16 < 8 ? 0 : x & 0xff;
  }
  return b;
}

function capture(): CaptureData {
  return {
    meta: {
      pid: 4242,
      host: 'test-host',
      kernel: '6.1.0',
      arch: 'amd64',
      pageSize: 4096,
      mode: 'full',
      time: '2026-11-26T12:00:00.000Z',
      monotonicNs: 123456789012345,
      pauseMs: 12.5,
      partial: false,
      unstoppedThreads: [],
      cmdline: ['/usr/bin/app', '-flag'],
      exePath: '/usr/bin/app',
      captureTool: 'test',
      nonblocking: false,
    },
    threads: [
      { tid: 4242, state: 'S', regs: bytes(216, 1), stopped: true },
      { tid: 4243, state: 'R', regs: bytes(216, 2), stopped: true },
      { tid: 4244, state: 'D', regs: new Uint8Array(0), stopped: false },
    ],
    maps: [
      { start: 0x400000, end: 0x500000, perms: 'r-xp', offset: 0, path: '/usr/bin/app' },
      { start: 0xc000000000, end: 0xc000400000, perms: 'rw-p', offset: 0, path: '' },
      { start: Number.NaN, end: Number.NaN, perms: '--xp', offset: 0, path: '[vsyscall]' },
    ],
    auxv: bytes(64, 3),
    memory: [
      // crosses a 4 MiB boundary, so it is two chunks
      { addr: 0xc0003ff000, bytes: bytes(0x3000, 4) },
      { addr: 0x7f0000000000, bytes: bytes(10 << 20, 5) },
      { addr: 0x500000, bytes: bytes(4096, 6) },
    ],
    exe: bytes(5 << 20, 7),
  };
}

const data = capture();

function at(addr: number, len: number): Uint8Array | undefined {
  for (const r of data.memory) {
    if (addr >= r.addr && addr + len <= r.addr + r.bytes.length) return r.bytes.subarray(addr - r.addr, addr - r.addr + len);
  }
  return undefined;
}

function readMem(snap: Snapshot, addr: number, len: number): Uint8Array | undefined {
  const r = snap.memoryRuns().find((x) => addr >= x.start && addr < x.end);
  if (!r) return undefined;
  if (addr + len <= r.end) return r.read(addr, len);
  // stitch across runs
  const out = new Uint8Array(len);
  let cur = addr;
  while (cur < addr + len) {
    const q = snap.memoryRuns().find((x) => cur >= x.start && cur < x.end);
    if (!q) return undefined;
    const n = Math.min(addr + len, q.end) - cur;
    out.set(q.read(cur, n), cur - addr);
    cur += n;
  }
  return out;
}

async function written(name: string, codec: CodecName, extra: { chunkSize?: number } = {}): Promise<string> {
  const p = path.join(dir, name);
  await writeSnapshotFile(p, data, { codec, ...extra });
  return p;
}

/** The snapshot of `d` written to memory: the writer needs only a sink, no file. */
async function inMemory(d: CaptureData, opts: WriteOptions = {}): Promise<Uint8Array> {
  let out = new Uint8Array(0);
  let end = 0;
  await writeSnapshot(
    {
      writeAt(b, pos) {
        if (pos + b.length > out.length) {
          const grown = new Uint8Array(Math.max(pos + b.length, out.length * 2));
          grown.set(out);
          out = grown;
        }
        out.set(b, pos);
        end = Math.max(end, pos + b.length);
      },
    },
    d,
    opts,
  );
  return out.subarray(0, end);
}

describe('round trip', () => {
  it.each(['brotli', 'xz', 'none', 'gzip'] as const)('%s: same bytes at random addresses, same threads and metadata', async (codec) => {
    const p = await written(`rt-${codec}.gsz`, codec);
    const snap = openSnapshot(p);
    try {
      expect(snap.version).toBe(1);
      expect(snap.meta).toEqual(data.meta);
      expect(snap.threads.map((t) => [t.tid, t.state, t.stopped, Buffer.from(t.regs).toString('hex')])).toEqual(
        data.threads.map((t) => [t.tid, t.state, t.stopped, Buffer.from(t.regs).toString('hex')]),
      );
      expect(snap.maps.slice(0, 2)).toEqual(data.maps.slice(0, 2));
      expect(snap.maps[2]!.start).toBeNaN();
      expect(Buffer.from(snap.auxv).equals(Buffer.from(data.auxv))).toBe(true);
      expect(Buffer.from(snap.exe.read(0, snap.exe.size)).equals(Buffer.from(data.exe))).toBe(true);
      expect(Buffer.from(snap.exe.read((4 << 20) - 10, 20)).equals(Buffer.from(data.exe.subarray((4 << 20) - 10, (4 << 20) + 10)))).toBe(true);
      let seed = 99;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed % n;
      };
      for (let i = 0; i < 300; i++) {
        const r = data.memory[rnd(data.memory.length)]!;
        const len = 1 + rnd(Math.min(70000, r.bytes.length));
        const addr = r.addr + rnd(r.bytes.length - len + 1);
        const got = readMem(snap, addr, len);
        expect(got && Buffer.from(got).equals(Buffer.from(at(addr, len)!)), `0x${addr.toString(16)}+${len}`).toBe(true);
      }
      // a read across the 4 MiB boundary inside one run
      const cross = 0xc000400000 - 100;
      expect(Buffer.from(readMem(snap, cross, 200)!).equals(Buffer.from(at(cross, 200)!))).toBe(true);
      expect(readMem(snap, 0x600000, 8)).toBeUndefined();
    } finally {
      snap.close();
    }
  });

  it('reports progress up to the total', async () => {
    const seen: [number, number][] = [];
    const r = await writeSnapshotFile(path.join(dir, 'progress.gsz'), data, { codec: 'brotli', onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.length).toBe(r.chunks);
    expect(seen.at(-1)).toEqual([r.rawBytes, r.rawBytes]);
    expect(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0])).toBe(true);
  });

  it('in-memory snapshots (live reports) give the same view', () => {
    const s = snapshotFromCapture(data);
    expect(s.memoryRuns().map((r) => r.start)).toEqual([0x500000, 0xc0003ff000, 0x7f0000000000]);
    expect(Buffer.from(s.exe.read(100, 10)).equals(Buffer.from(data.exe.subarray(100, 110)))).toBe(true);
  });

  it('chunks never cross a multiple of the chunk size', async () => {
    const p = await written('small-chunks.gsz', 'brotli', { chunkSize: 4096 });
    const snap = readSnapshot(new BufferSource(fs.readFileSync(p), p));
    for (const c of snap.memoryChunks) expect(Math.floor(c.addr / 4096)).toBe(Math.floor((c.addr + c.length - 1) / 4096));
    expect(Buffer.from(readMem(snap, 0x7f0000000000 + 5000, 10000)!).equals(Buffer.from(at(0x7f0000000000 + 5000, 10000)!))).toBe(true);
  });
});

describe('lazy decompression', () => {
  let p: string;
  beforeAll(async () => {
    p = await written('lazy.gsz', 'brotli');
  });

  it('decompresses a chunk only when touched, and once while cached', () => {
    const snap = openSnapshot(p);
    try {
      expect(snap.stats.decompressions).toBe(0);
      readMem(snap, 0x7f0000000000 + 10, 8);
      expect(snap.stats.decompressions).toBe(1);
      readMem(snap, 0x7f0000000000 + 100000, 8);
      expect(snap.stats.decompressions).toBe(1);
      readMem(snap, 0x7f0000000000 + (4 << 20) + 5, 8);
      expect(snap.stats.decompressions).toBe(2);
      snap.exe.read(0, 64);
      expect(snap.stats.decompressions).toBe(3);
    } finally {
      snap.close();
    }
  });

  it('evicts the least recently used chunk when the cache is full', () => {
    const snap = openSnapshot(p, { cacheBytes: 5 << 20 });
    try {
      readMem(snap, 0x7f0000000000, 8);
      readMem(snap, 0x7f0000000000 + (4 << 20), 8);
      readMem(snap, 0x7f0000000000 + (4 << 20) + 1, 8);
      expect(snap.stats.decompressions).toBe(2);
      readMem(snap, 0x7f0000000000, 8); // evicted
      expect(snap.stats.decompressions).toBe(3);
    } finally {
      snap.close();
    }
  });
});

describe('file safety', () => {
  it('writes mode 0600 and leaves no temporary file', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'perm-'));
    const p = path.join(sub, 'snap.gsz');
    const old = process.umask(0);
    try {
      await writeSnapshotFile(p, data, { codec: 'brotli' });
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(sub)).toEqual(['snap.gsz']);
  });

  it('refuses an existing file without force, replaces it with force', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'exists-'));
    const p = path.join(sub, 'snap.gsz');
    fs.writeFileSync(p, 'precious');
    await expect(writeSnapshotFile(p, data, { codec: 'none' })).rejects.toBeInstanceOf(OutputExistsError);
    expect(fs.readFileSync(p, 'utf8')).toBe('precious');
    expect(fs.readdirSync(sub)).toEqual(['snap.gsz']);
    await writeSnapshotFile(p, data, { codec: 'none', force: true });
    expect(fs.readFileSync(p).subarray(0, 8).toString()).toBe('GOSPYSNP');
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(sub)).toEqual(['snap.gsz']);
  });

  it('rejects overlapping memory runs before writing anything', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'overlap-'));
    const bad = { ...data, memory: [{ addr: 0x1000, bytes: new Uint8Array(0x2000) }, { addr: 0x2000, bytes: new Uint8Array(16) }] };
    const writes: number[] = [];
    await expect(writeSnapshot({ writeAt: (_b, pos) => writes.push(pos) }, bad)).rejects.toBeInstanceOf(FormatError);
    expect(writes).toEqual([]);
    await expect(writeSnapshotFile(path.join(sub, 's.gsz'), bad)).rejects.toBeInstanceOf(FormatError);
    expect(fs.readdirSync(sub)).toEqual([]);
  });

  it('a sink that fails half-way: the error reaches the caller and no file is left', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'fail-'));
    /** Passes the first two writes to `inner`, then fails like a full disk. */
    const failingThird = (inner?: WriteSink): WriteSink => {
      let n = 0;
      return {
        writeAt(b, pos) {
          if (++n === 3) throw new Error('disk full');
          inner?.writeAt(b, pos);
        },
      };
    };
    await expect(writeSnapshot(failingThird(), data, { codec: 'none' })).rejects.toThrow('disk full');
    await expect(writeOutputFile(path.join(sub, 's.gsz'), false, (sink) => writeSnapshot(failingThird(sink), data, { codec: 'none' }))).rejects.toThrow('disk full');
    expect(fs.readdirSync(sub)).toEqual([]);
  });

  it('the same bytes in memory and in a file', async () => {
    const p = await written('same.gsz', 'none');
    expect(Buffer.from(await inMemory(data, { codec: 'none' })).equals(fs.readFileSync(p))).toBe(true);
  });
});

describe('corrupt input', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    const d: CaptureData = { ...data, exe: bytes(20000, 8), memory: [{ addr: 0x10000, bytes: bytes(40000, 9) }, { addr: 0x40000, bytes: bytes(9000, 10) }] };
    good = await inMemory(d, { codec: 'brotli', chunkSize: 8192 });
  });

  it('the uncorrupted snapshot reads back whole', () => {
    expect(exercise(good)).toBeUndefined();
  });

  /** Open and read everything; the error, or undefined when all went well. */
  function exercise(b: Uint8Array): unknown {
    try {
      const s = readSnapshot(new BufferSource(b, 'test.gsz'));
      for (const r of s.memoryRuns()) r.read(r.start, r.end - r.start);
      s.exe.read(0, s.exe.size);
      return undefined;
    } catch (e) {
      return e;
    }
  }

  function expectGospy(e: unknown, label: string): void {
    expect(e, label).toBeInstanceOf(GospyError);
    expect((e as Error).message, label).not.toMatch(/undefined|NaN/);
  }

  it('truncated at every 37th byte and in the header → TruncatedError', () => {
    for (let n = 0; n < good.length; n += n < 80 ? 1 : 37) {
      const e = exercise(good.subarray(0, n));
      expectGospy(e, `cut at ${n}`);
      expect(e, `cut at ${n}`).toBeInstanceOf(TruncatedError);
    }
  });

  it('a flipped byte anywhere in header, metadata or index → a GospyError when opening', () => {
    const indexOffset = Number(Buffer.from(good).readBigUInt64LE(H.indexOffset));
    const metaEnd = HEADER_SIZE + Number(Buffer.from(good).readBigUInt64LE(H.metaLength));
    const positions = [...Array.from({ length: metaEnd }, (_, i) => i), ...Array.from({ length: good.length - indexOffset }, (_, i) => indexOffset + i)];
    for (const pos of positions) {
      const b = good.slice();
      b[pos] ^= 0x41;
      expectGospy(exercise(b), `flip at ${pos}`);
    }
  });

  it('index fields changed with the checksums fixed up → a GospyError, never a crash', () => {
    const indexOffset = Number(Buffer.from(good).readBigUInt64LE(H.indexOffset));
    let errors = 0;
    for (let pos = indexOffset; pos < good.length; pos++) {
      for (const v of [0x00, 0xff, 0x80, 0x07]) {
        const b = Buffer.from(good);
        if (b[pos] === v) continue;
        b[pos] = v;
        b.writeUInt32LE(crc32(b.subarray(indexOffset)), H.indexCrc);
        b.writeUInt32LE(crc32(b.subarray(0, H.headerCrc)), H.headerCrc);
        const e = exercise(b);
        // The CRC field of an entry changed to its own value is the only harmless edit.
        if (e !== undefined) {
          expectGospy(e, `index byte ${pos - indexOffset} := ${v}`);
          errors++;
        }
      }
    }
    expect(errors).toBeGreaterThan(0);
  });

  it('a flipped byte in a chunk → FormatError naming the chunk, when it is read', () => {
    const indexOffset = Number(Buffer.from(good).readBigUInt64LE(H.indexOffset));
    const metaEnd = HEADER_SIZE + Number(Buffer.from(good).readBigUInt64LE(H.metaLength));
    for (let pos = metaEnd; pos < indexOffset; pos += 97) {
      const b = good.slice();
      b[pos] ^= 0x10;
      readSnapshot(new BufferSource(b, 't.gsz')); // opening does not touch chunks
      const e = exercise(b);
      expect(e, `flip at ${pos}`).toBeInstanceOf(FormatError);
      expect((e as Error).message).toMatch(/snapshot chunk #\d+ \((memory|executable bytes) 0x[0-9a-f]+\+0x[0-9a-f]+\): checksum mismatch/);
    }
  });

  it('bad magic → FormatError; an ELF core is not taken for a snapshot', () => {
    const b = good.slice();
    b.set(Buffer.from('GOSPYSNQ'), 0);
    const e = exercise(b);
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toMatch(/not a gospy snapshot/);
    expect(exercise(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBeInstanceOf(FormatError);
  });

  it('a future version → UnsupportedError naming the supported version', () => {
    const b = Buffer.from(good);
    b.writeUInt32LE(2, H.version);
    const e = exercise(b);
    expect(e).toBeInstanceOf(UnsupportedError);
    expect((e as Error).message).toMatch(/format version 2; this gospy reads version 1/);
  });

  it('an unknown codec → UnsupportedError naming the chunk', () => {
    const b = Buffer.from(good);
    const indexOffset = Number(b.readBigUInt64LE(H.indexOffset));
    b[indexOffset + 29] = 9;
    b.writeUInt32LE(crc32(b.subarray(indexOffset)), H.indexCrc);
    b.writeUInt32LE(crc32(b.subarray(0, H.headerCrc)), H.headerCrc);
    const e = exercise(b);
    expect(e).toBeInstanceOf(UnsupportedError);
    expect((e as Error).message).toMatch(/chunk #0 .* codec 9/);
  });

  it('index entries are 32 bytes', () => {
    const b = Buffer.from(good);
    expect((b.length - Number(b.readBigUInt64LE(H.indexOffset))) % INDEX_ENTRY_SIZE).toBe(0);
  });
});
