/**
 * Reads a .gsz snapshot (docs/snapshot-format.md) through a ByteSource: the header, metadata and
 * index are checked when opening (magic, version, CRCs, bounds); a chunk is read, CRC-checked and
 * decompressed only when something touches it, and kept in a small LRU. A multi-GB snapshot is
 * never read whole. Every problem is a GospyError: FormatError (bad magic, corrupt data, naming the
 * chunk), UnsupportedError (version, codec), TruncatedError (file cut short).
 */
import { type ByteSource, u32, u64, u64Big } from '../../base/bytes.ts';
import { FormatError, TruncatedError, UnsupportedError } from '../../base/errors.ts';
import { crc32 } from 'node:zlib';
import { codecName, decompressChunk } from './codec.ts';
import { E, H, HEADER_SIZE, INDEX_ENTRY_SIZE, MAX_CHUNK_SIZE, STREAM_EXE, STREAM_MEMORY } from './layout.ts';
import {
  type CaptureData,
  type SnapshotMapping,
  type SnapshotMeta,
  type SnapshotThread,
  SNAPSHOT_MAGIC,
  SNAPSHOT_VERSION,
} from './schema.ts';
import { parseMeta, SNAPSHOT_HINT, type ParsedMeta } from './meta.ts';

export const SUPPORTED_VERSIONS: readonly number[] = [SNAPSHOT_VERSION];

export interface SnapshotChunk {
  /** Position in the index. */
  readonly index: number;
  readonly stream: number;
  /** Virtual address (memory) or offset in the executable (exe). */
  readonly addr: number;
  readonly length: number;
  readonly fileOffset: number;
  readonly storedLength: number;
  readonly crc: number;
  readonly codec: number;
}

/** A run of captured memory: bytes at [start, end) through `read`. */
export interface SnapshotRun {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  /** Bytes at [addr, addr+len), inside the run. */
  read(addr: number, len: number): Uint8Array;
}

/** A snapshot's content, from a file or straight from a capture (live reports). */
export interface Snapshot {
  readonly name: string;
  readonly version: number;
  readonly meta: SnapshotMeta;
  readonly threads: readonly SnapshotThread[];
  readonly maps: readonly SnapshotMapping[];
  readonly auxv: Uint8Array;
  /** The executable's bytes, read lazily. */
  readonly exe: ByteSource;
  /** Captured memory, sorted by address, non-overlapping. */
  memoryRuns(): readonly SnapshotRun[];
  /** Chunks read and decompressed so far (0 for in-memory snapshots). */
  readonly stats: { readonly decompressions: number };
}

/** A snapshot read from a .gsz file: also its chunk index. */
export interface SnapshotFile extends Snapshot {
  /** Memory chunks, sorted by address. */
  readonly memoryChunks: readonly SnapshotChunk[];
  /** Executable chunks, in file-offset order. */
  readonly exeChunks: readonly SnapshotChunk[];
}

export interface ReadSnapshotOptions {
  /** Decompressed bytes kept in the chunk cache (default 64 MiB). */
  readonly cacheBytes?: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** True when `head` (the first bytes of a file) starts with the snapshot magic. */
export function isSnapshotMagic(head: Uint8Array): boolean {
  if (head.length < SNAPSHOT_MAGIC.length) return false;
  for (let i = 0; i < SNAPSHOT_MAGIC.length; i++) if (head[i] !== SNAPSHOT_MAGIC.charCodeAt(i)) return false;
  return true;
}

function truncated(src: ByteSource, need: number, what: string): TruncatedError {
  return new TruncatedError(`snapshot ${src.name} is truncated: it has ${src.size} bytes, its ${what} needs ${need}`, {
    hint: 'the file was cut short (copy interrupted, disk full?); copy it again or capture again',
  });
}

function readExact(src: ByteSource, off: number, len: number, what: string): Uint8Array {
  if (off + len > src.size) throw truncated(src, off + len, what);
  const b = src.read(off, len);
  if (b.length !== len) throw truncated(src, off + len, what);
  return b;
}

// ---- chunks ------------------------------------------------------------------------------

class ChunkCache {
  private readonly map = new Map<number, Uint8Array>();
  private bytes = 0;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get(i: number): Uint8Array | undefined {
    const b = this.map.get(i);
    if (b) {
      this.map.delete(i);
      this.map.set(i, b);
    }
    return b;
  }
  set(i: number, b: Uint8Array): void {
    this.map.set(i, b);
    this.bytes += b.length;
    while (this.bytes > this.limit && this.map.size > 1) {
      const [k, v] = this.map.entries().next().value!;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
}

function streamName(c: SnapshotChunk): string {
  return c.stream === STREAM_EXE
    ? `snapshot chunk #${c.index} (executable bytes ${hex(c.addr)}+${hex(c.length)})`
    : `snapshot chunk #${c.index} (memory ${hex(c.addr)}+${hex(c.length)})`;
}

/** First index i with list[i].addr + list[i].length > addr. */
function lowerBound(list: readonly SnapshotChunk[], addr: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.addr + list[mid]!.length <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class FileSnapshot implements SnapshotFile {
  readonly name: string;
  readonly version: number;
  readonly meta: SnapshotMeta;
  readonly threads: readonly SnapshotThread[];
  readonly maps: readonly SnapshotMapping[];
  readonly auxv: Uint8Array;
  readonly exe: ByteSource;
  readonly memoryChunks: readonly SnapshotChunk[];
  readonly exeChunks: readonly SnapshotChunk[];
  readonly stats = { decompressions: 0 };
  private readonly src: ByteSource;
  private readonly cache: ChunkCache;
  private runs: SnapshotRun[] | undefined;

  constructor(src: ByteSource, version: number, pm: ParsedMeta, mem: SnapshotChunk[], exe: SnapshotChunk[], cacheBytes: number) {
    this.src = src;
    this.name = src.name;
    this.version = version;
    this.meta = pm.meta;
    this.threads = pm.threads;
    this.maps = pm.maps;
    this.auxv = pm.auxv;
    this.memoryChunks = mem;
    this.exeChunks = exe;
    this.cache = new ChunkCache(cacheBytes);
    const self = this;
    this.exe = {
      name: `${src.name} (executable)`,
      size: pm.exeSize,
      read(offset: number, length: number): Uint8Array {
        return self.readStream(self.exeChunks, offset, Math.min(length, pm.exeSize - offset));
      },
    };
  }

  /** The decompressed bytes of chunk `c` (cached). */
  chunkData(c: SnapshotChunk): Uint8Array {
    const hit = this.cache.get(c.index);
    if (hit) return hit;
    const stored = this.src.read(c.fileOffset, c.storedLength);
    if (stored.length !== c.storedLength) throw truncated(this.src, c.fileOffset + c.storedLength, streamName(c));
    const what = streamName(c);
    if (crc32(stored) !== c.crc) {
      throw new FormatError(what, `checksum mismatch (stored ${c.storedLength} bytes at file offset ${hex(c.fileOffset)})`, c.fileOffset, {
        hint: SNAPSHOT_HINT,
      });
    }
    this.stats.decompressions++;
    // Copy 'none' chunks out of the file cache's buffers so the LRU owns them.
    const data = decompressChunk(c.codec, c.codec === 0 ? stored.slice() : stored, c.length, what);
    this.cache.set(c.index, data);
    return data;
  }

  /** Bytes [addr, addr+len) of a stream; shorter when it runs out of chunks. */
  private readStream(list: readonly SnapshotChunk[], addr: number, len: number): Uint8Array {
    if (!(len > 0) || !(addr >= 0)) return new Uint8Array(0);
    let i = lowerBound(list, addr);
    const first = list[i];
    if (!first || first.addr > addr) return new Uint8Array(0);
    const end = addr + len;
    if (end <= first.addr + first.length) {
      const d = this.chunkData(first);
      return d.subarray(addr - first.addr, end - first.addr);
    }
    const out = new Uint8Array(len);
    let cur = addr;
    while (cur < end) {
      const c = list[i];
      if (!c || c.addr > cur) return out.subarray(0, cur - addr);
      const d = this.chunkData(c);
      const n = Math.min(end, c.addr + c.length) - cur;
      out.set(d.subarray(cur - c.addr, cur - c.addr + n), cur - addr);
      cur += n;
      i++;
    }
    return out;
  }

  memoryRuns(): readonly SnapshotRun[] {
    if (!this.runs) {
      this.runs = this.memoryChunks.map((c) => ({
        start: c.addr,
        end: c.addr + c.length,
        label: `snapshot chunk #${c.index}`,
        read: (addr: number, len: number) => this.chunkData(c).subarray(addr - c.addr, addr - c.addr + len),
      }));
    }
    return this.runs;
  }
}

/**
 * Open the snapshot in `src`. Checks the header, metadata and index; chunk data is checked when
 * first read. Throws FormatError, UnsupportedError or TruncatedError.
 */
export function readSnapshot(src: ByteSource, opts: ReadSnapshotOptions = {}): SnapshotFile {
  const name = src.name;
  const head = src.read(0, Math.min(src.size, HEADER_SIZE));
  const magicLen = SNAPSHOT_MAGIC.length;
  let magicPrefix = true;
  for (let i = 0; i < Math.min(head.length, magicLen); i++) if (head[i] !== SNAPSHOT_MAGIC.charCodeAt(i)) magicPrefix = false;
  if (!magicPrefix) {
    throw new FormatError(`snapshot ${name}`, `not a gospy snapshot (no ${SNAPSHOT_MAGIC} magic)`, 0, {
      hint: 'give a file written by `gospy capture`, or an ELF core',
    });
  }
  if (head.length < HEADER_SIZE) throw truncated(src, HEADER_SIZE, 'header');
  const version = u32(head, H.version);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new UnsupportedError('snapshot version', `snapshot ${name} has format version ${version}; this gospy reads version ${SUPPORTED_VERSIONS.join(', ')}`, {
      hint: version > SNAPSHOT_VERSION ? 'it was written by a newer gospy: analyze it with that version (or newer)' : SNAPSHOT_HINT,
    });
  }
  if (crc32(head.subarray(0, H.headerCrc)) !== u32(head, H.headerCrc)) {
    throw new FormatError(`snapshot ${name} header`, 'checksum mismatch', 0, { hint: SNAPSHOT_HINT });
  }
  const headerSize = u32(head, H.headerSize);
  const metaOffset = u64(head, H.metaOffset);
  const metaLength = u64(head, H.metaLength);
  const indexOffset = u64(head, H.indexOffset);
  const indexCount = u64(head, H.indexCount);
  const bad = (detail: string): never => {
    throw new FormatError(`snapshot ${name} header`, detail, 0, { hint: SNAPSHOT_HINT });
  };
  if (headerSize !== HEADER_SIZE) bad(`header size ${headerSize}, version 1 has ${HEADER_SIZE}`);
  if (u32(head, H.flags) !== 0) bad(`unknown flags ${hex(u32(head, H.flags))}`);
  if (!(metaOffset >= HEADER_SIZE) || !(metaLength >= 2) || !(metaLength <= 1 << 30)) bad(`metadata at ${metaOffset} (+${metaLength}) is out of range`);
  if (!(indexOffset >= metaOffset + metaLength) || indexOffset % 8 !== 0 || !(indexCount >= 0) || !(indexCount <= 2 ** 40)) {
    bad(`index at ${indexOffset} (${indexCount} entries) is out of range`);
  }
  const indexEnd = indexOffset + indexCount * INDEX_ENTRY_SIZE;
  if (indexEnd > src.size) throw truncated(src, indexEnd, 'index');
  const metaBytes = readExact(src, metaOffset, metaLength, 'metadata');
  if (crc32(metaBytes) !== u32(head, H.metaCrc)) {
    throw new FormatError(`snapshot ${name} metadata`, 'checksum mismatch', metaOffset, { hint: SNAPSHOT_HINT });
  }
  const indexBytes = readExact(src, indexOffset, indexCount * INDEX_ENTRY_SIZE, 'index');
  if (crc32(indexBytes) !== u32(head, H.indexCrc)) {
    throw new FormatError(`snapshot ${name} index`, 'checksum mismatch', indexOffset, { hint: SNAPSHOT_HINT });
  }
  const pm = parseMeta(metaBytes, name);

  const mem: SnapshotChunk[] = [];
  const exe: SnapshotChunk[] = [];
  const dataStart = metaOffset + metaLength;
  for (let i = 0; i < indexCount; i++) {
    const o = i * INDEX_ENTRY_SIZE;
    const c: SnapshotChunk = {
      index: i,
      addr: u64(indexBytes, o + E.addr),
      fileOffset: u64(indexBytes, o + E.fileOffset),
      length: u32(indexBytes, o + E.length),
      storedLength: u32(indexBytes, o + E.storedLength),
      crc: u32(indexBytes, o + E.crc),
      stream: indexBytes[o + E.stream]!,
      codec: indexBytes[o + E.codec]!,
    };
    if (!Number.isFinite(c.addr) || !Number.isFinite(c.fileOffset)) {
      throw new FormatError(
        `snapshot chunk #${i}`,
        `address 0x${u64Big(indexBytes, o + E.addr).toString(16)} or file offset 0x${u64Big(indexBytes, o + E.fileOffset).toString(16)} is above 2^53`,
        indexOffset + o,
        { hint: SNAPSHOT_HINT },
      );
    }
    const what = streamName(c);
    const fail = (detail: string): never => {
      throw new FormatError(what, detail, indexOffset + o, { hint: SNAPSHOT_HINT });
    };
    if (c.stream !== STREAM_MEMORY && c.stream !== STREAM_EXE) fail(`unknown stream ${c.stream}`);
    if (codecName(c.codec) === undefined) {
      throw new UnsupportedError('snapshot codec', `${what} uses codec ${c.codec}, which this gospy does not know`, {
        hint: 'the snapshot was written by a newer gospy: analyze it with that version',
      });
    }
    if (!(c.length > 0 && c.length <= MAX_CHUNK_SIZE)) fail(`length ${c.length} is out of range`);
    if (!Number.isSafeInteger(c.addr + c.length)) fail('the chunk ends above 2^53');
    if (!(c.fileOffset >= dataStart && c.fileOffset + c.storedLength <= indexOffset)) {
      fail(`stored bytes at ${hex(c.fileOffset)} (+${c.storedLength}) lie outside the chunk area [${hex(dataStart)}, ${hex(indexOffset)})`);
    }
    if (c.codec === 0 && c.storedLength !== c.length) fail(`stored uncompressed with ${c.storedLength} bytes, length ${c.length}`);
    (c.stream === STREAM_EXE ? exe : mem).push(c);
  }
  mem.sort((a, b) => a.addr - b.addr);
  exe.sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < mem.length; i++) {
    const p = mem[i - 1]!;
    if (p.addr + p.length > mem[i]!.addr) {
      throw new FormatError(streamName(mem[i]!), `overlaps ${streamName(p)}`, indexOffset + mem[i]!.index * INDEX_ENTRY_SIZE, { hint: SNAPSHOT_HINT });
    }
  }
  let at = 0;
  for (const c of exe) {
    if (c.addr !== at) {
      throw new FormatError(streamName(c), `executable chunks do not follow each other (expected offset ${hex(at)})`, indexOffset + c.index * INDEX_ENTRY_SIZE, { hint: SNAPSHOT_HINT });
    }
    at += c.length;
  }
  if (at !== pm.exeSize) {
    throw new FormatError(`snapshot ${name} index`, `executable chunks hold ${at} bytes, the metadata says ${pm.exeSize}`, indexOffset, { hint: SNAPSHOT_HINT });
  }
  return new FileSnapshot(src, version, pm, mem, exe, opts.cacheBytes ?? 64 << 20);
}

/** A Snapshot straight from capture data, without a file (for live reports and tests). */
export function snapshotFromCapture(data: CaptureData, name = `process ${data.meta.pid}`): Snapshot {
  const runs: SnapshotRun[] = data.memory
    .filter((r) => r.bytes.length > 0)
    .slice()
    .sort((a, b) => a.addr - b.addr)
    .map((r, i) => ({
      start: r.addr,
      end: r.addr + r.bytes.length,
      label: `captured run #${i}`,
      read: (addr: number, len: number) => r.bytes.subarray(addr - r.addr, addr - r.addr + len),
    }));
  const exeBytes = data.exe;
  return {
    name,
    version: SNAPSHOT_VERSION,
    meta: data.meta,
    threads: data.threads,
    maps: data.maps,
    auxv: data.auxv,
    exe: {
      name: `${name} (executable)`,
      size: exeBytes.length,
      read: (offset: number, length: number) => exeBytes.subarray(offset, Math.min(exeBytes.length, offset + length)),
    },
    memoryRuns: () => runs,
    stats: { decompressions: 0 },
  };
}
