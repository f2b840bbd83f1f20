/**
 * Writes a CaptureData as a .gsz snapshot (docs/snapshot-format.md): header, JSON metadata, the
 * executable and the captured memory as independently compressed chunks, and the chunk index.
 * Chunks compress off the JS thread, several at a time. The bytes go to a sink the caller gives
 * (src/format/ never touches the filesystem): `gospy capture` passes a 0600 temporary file that is
 * moved into place only when complete (src/base/output-file.ts, writeOutputFile).
 */
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { FormatError } from '../../base/errors.ts';
import { CODEC_IDS, DEFAULT_LEVEL, compressChunk } from './codec.ts';
import { DEFAULT_CHUNK_SIZE, E, H, HEADER_SIZE, INDEX_ENTRY_SIZE, MAX_CHUNK_SIZE, STREAM_EXE, STREAM_MEMORY } from './layout.ts';
import { type CaptureData, type CodecName, SNAPSHOT_MAGIC, SNAPSHOT_VERSION } from './schema.ts';

/** The default codec, chosen by the measurements in docs/snapshot-format.md. */
export const DEFAULT_CODEC: CodecName = 'brotli';

export interface WriteOptions {
  readonly codec?: CodecName | undefined;
  /** xz preset / brotli quality / gzip level; the codec's fast default when absent. */
  readonly level?: number | undefined;
  /** Bytes of address space per chunk, a power of two ≤ 64 MiB (default 4 MiB). */
  readonly chunkSize?: number | undefined;
  /** Chunks compressed at once (default: the number of CPUs). */
  readonly concurrency?: number | undefined;
  /** Called after each chunk with the uncompressed bytes done so far and the total. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Where the snapshot's bytes go: positional writes of whole buffers, in any order. */
export interface SnapshotSink {
  writeAt(bytes: Uint8Array, position: number): void;
}

export interface WriteResult {
  /** Size of the written snapshot. */
  readonly fileBytes: number;
  readonly chunks: number;
  /** Uncompressed bytes of memory and executable. */
  readonly rawBytes: number;
  /** Their stored (compressed) size. */
  readonly storedBytes: number;
  readonly codec: CodecName;
  readonly seconds: number;
}

interface PendingChunk {
  readonly stream: number;
  readonly addr: number;
  readonly data: Uint8Array;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** JSON form of a 64-bit value: hex string, or null when it is not exactly representable. */
function u64Json(n: number): string | null {
  return Number.isSafeInteger(n) && n >= 0 ? hex(n) : null;
}

/** The metadata block (JSON). Exported for tests and for the spec's example. */
export function metadataJson(data: CaptureData, chunkSize: number, codec: CodecName, level: number): string {
  const exeHash = createHash('sha256').update(data.exe).digest('hex');
  let memBytes = 0;
  for (const r of data.memory) memBytes += r.bytes.length;
  const doc = {
    format: 'gospy snapshot',
    meta: data.meta,
    threads: data.threads.map((t) => ({
      tid: t.tid,
      state: t.state,
      stopped: t.stopped,
      regs: Buffer.from(t.regs.buffer, t.regs.byteOffset, t.regs.byteLength).toString('base64'),
      ...(t.tls === undefined ? {} : { tls: u64Json(t.tls) }),
    })),
    maps: data.maps.map((m) => ({
      start: u64Json(m.start),
      end: u64Json(m.end),
      perms: m.perms,
      offset: u64Json(m.offset),
      path: m.path,
    })),
    auxv: Buffer.from(data.auxv.buffer, data.auxv.byteOffset, data.auxv.byteLength).toString('base64'),
    exe: { size: data.exe.length, sha256: exeHash },
    memory: { runs: data.memory.length, bytes: memBytes },
    writer: { chunkSize, codec, level, tool: 'gospy' },
  };
  return JSON.stringify(doc);
}

function checkCapture(data: CaptureData, chunkSize: number): { addr: number; bytes: Uint8Array }[] {
  if (!(chunkSize >= 4096 && chunkSize <= MAX_CHUNK_SIZE && (chunkSize & (chunkSize - 1)) === 0)) {
    throw new RangeError(`chunk size ${chunkSize} must be a power of two between 4 KiB and 64 MiB`);
  }
  const runs = data.memory.filter((r) => r.bytes.length > 0).slice();
  for (const r of runs) {
    if (!Number.isSafeInteger(r.addr) || r.addr < 0 || !Number.isSafeInteger(r.addr + r.bytes.length)) {
      throw new FormatError('capture data', `memory run at ${String(r.addr)} has an address that is not a 64-bit integer below 2^53`);
    }
  }
  runs.sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < runs.length; i++) {
    const p = runs[i - 1]!;
    if (p.addr + p.bytes.length > runs[i]!.addr) {
      throw new FormatError('capture data', `memory runs at ${hex(p.addr)} (+${p.bytes.length}) and ${hex(runs[i]!.addr)} overlap`);
    }
  }
  return runs;
}

/** Split the exe and the memory runs into chunks (memory at multiples of chunkSize). */
function* chunksOf(data: CaptureData, runs: readonly { addr: number; bytes: Uint8Array }[], chunkSize: number): Generator<PendingChunk> {
  for (let off = 0; off < data.exe.length; off += chunkSize) {
    yield { stream: STREAM_EXE, addr: off, data: data.exe.subarray(off, Math.min(data.exe.length, off + chunkSize)) };
  }
  for (const r of runs) {
    let a = r.addr;
    const end = r.addr + r.bytes.length;
    while (a < end) {
      const next = Math.min(end, (Math.floor(a / chunkSize) + 1) * chunkSize);
      yield { stream: STREAM_MEMORY, addr: a, data: r.bytes.subarray(a - r.addr, next - r.addr) };
      a = next;
    }
  }
}

function setU64(b: Buffer, off: number, v: number): void {
  b.writeBigUInt64LE(BigInt(v), off);
}

/**
 * Write `data` to `sink` as a .gsz snapshot. Invalid capture data throws before anything is
 * written; the header (offset 0) is written last, so a sink left incomplete by a failure never
 * reads as a valid snapshot.
 */
export async function writeSnapshot(sink: SnapshotSink, data: CaptureData, opts: WriteOptions = {}): Promise<WriteResult> {
  const t0 = performance.now();
  const codec = opts.codec ?? DEFAULT_CODEC;
  const level = opts.level ?? DEFAULT_LEVEL[codec];
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const concurrency = Math.max(1, opts.concurrency ?? os.availableParallelism());
  const runs = checkCapture(data, chunkSize);

  const meta = Buffer.from(metadataJson(data, chunkSize, codec, level), 'utf8');
  let total = data.exe.length;
  for (const r of runs) total += r.bytes.length;

  let pos = HEADER_SIZE;
  sink.writeAt(meta, pos);
  pos += meta.length;

  const index: Buffer[] = [];
  let done = 0;
  let stored = 0;
  // A window of chunks compressing in parallel, written in order.
  const window: { chunk: PendingChunk; out: Promise<Uint8Array> }[] = [];
  const it = chunksOf(data, runs, chunkSize);
  const refill = (): void => {
    while (window.length < concurrency) {
      const n = it.next();
      if (n.done) return;
      const out = compressChunk(codec, n.value.data, level);
      out.catch(() => undefined); // awaited below; keeps a failure from being reported as unhandled meanwhile
      window.push({ chunk: n.value, out });
    }
  };
  refill();
  while (window.length > 0) {
    const { chunk, out } = window.shift()!;
    let bytes = await out;
    let used = codec;
    // Incompressible data is stored as is.
    if (bytes.length >= chunk.data.length) {
      bytes = chunk.data;
      used = 'none';
    }
    refill();
    sink.writeAt(bytes, pos);
    const e = Buffer.alloc(INDEX_ENTRY_SIZE);
    setU64(e, E.addr, chunk.addr);
    setU64(e, E.fileOffset, pos);
    e.writeUInt32LE(chunk.data.length, E.length);
    e.writeUInt32LE(bytes.length, E.storedLength);
    e.writeUInt32LE(crc32(bytes), E.crc);
    e.writeUInt8(chunk.stream, E.stream);
    e.writeUInt8(CODEC_IDS[used], E.codec);
    index.push(e);
    pos += bytes.length;
    done += chunk.data.length;
    stored += bytes.length;
    opts.onProgress?.(done, total);
  }

  pos = Math.ceil(pos / 8) * 8;
  const indexBytes = Buffer.concat(index);
  const indexOffset = pos;
  sink.writeAt(indexBytes, pos);
  pos += indexBytes.length;

  const h = Buffer.alloc(HEADER_SIZE);
  h.write(SNAPSHOT_MAGIC, H.magic, 'latin1');
  h.writeUInt32LE(SNAPSHOT_VERSION, H.version);
  h.writeUInt32LE(HEADER_SIZE, H.headerSize);
  setU64(h, H.metaOffset, HEADER_SIZE);
  setU64(h, H.metaLength, meta.length);
  setU64(h, H.indexOffset, indexOffset);
  setU64(h, H.indexCount, index.length);
  h.writeUInt32LE(crc32(meta), H.metaCrc);
  h.writeUInt32LE(crc32(indexBytes), H.indexCrc);
  h.writeUInt32LE(0, H.flags);
  h.writeUInt32LE(crc32(h.subarray(0, H.headerCrc)), H.headerCrc);
  sink.writeAt(h, 0);
  return {
    fileBytes: pos,
    chunks: index.length,
    rawBytes: total,
    storedBytes: stored,
    codec,
    seconds: (performance.now() - t0) / 1000,
  };
}
