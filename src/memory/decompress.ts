/**
 * The decompression cache: an xz, gzip or zstd input is decompressed once into
 * `${GOSPY_CACHE:-~/.cache/gospy}/decompressed/<content key>` (see contentKey) and read from there
 * with random access; least recently used entries are removed beyond GOSPY_CACHE_MAX_MB (default
 * 16 GiB). The cache file is written to a temp name and renamed into place. Every codec streams
 * with bounded memory: node:zlib for gzip/zstd, @napi-rs/lzma's native stream for xz.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FormatError, UnsupportedError } from '../base/errors.ts';
import type { Compression } from './input-kind.ts';

/** Bytes read from each end of a compressed input to name its cache entry. */
const KEY_EDGE = 1 << 20;
/** Default cap on the decompression cache, MiB (GOSPY_CACHE_MAX_MB overrides). */
const DEFAULT_CACHE_MAX_MB = 16 * 1024;
/** Temp files older than this are left over from a killed run. */
const STALE_TMP_MS = 60 * 60 * 1000;

/** The gospy cache directory: $GOSPY_CACHE, else ~/.cache/gospy. */
export function cacheDir(): string {
  return process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy');
}

/**
 * The cache entry's name: sha256 of the compressed file's size and its first and last MiB. It
 * follows the content, not the path: the same core copied or checked out elsewhere hits the same
 * entry (keyed by path and mtime, every fresh clone of the samples added ~50 entries; 62 GB had
 * piled up here). The ends of an xz, gzip or zstd file hold its headers and its checksums/index,
 * so two different streams of one size with equal ends do not occur short of forgery — and a
 * forged one could only feed gospy a core that the forger could have given it anyway.
 */
function contentKey(p: string, size: number): string {
  const h = createHash('sha256').update(`gospy-decompressed-v2\0${size}\0`);
  const fd = fs.openSync(p, 'r');
  try {
    const edge = Buffer.alloc(Math.min(KEY_EDGE, size));
    h.update(edge.subarray(0, fs.readSync(fd, edge, 0, edge.length, 0)));
    if (size > KEY_EDGE) h.update(edge.subarray(0, fs.readSync(fd, edge, 0, edge.length, Math.max(KEY_EDGE, size - KEY_EDGE))));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** The cap on the decompression cache in bytes. */
function cacheMaxBytes(): number {
  const mb = Number(process.env['GOSPY_CACHE_MAX_MB']);
  return (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_CACHE_MAX_MB) * 1024 * 1024;
}

/**
 * Keeps the cache under its cap: removes the least recently used entries (by mtime, which a hit
 * refreshes) but never `keep`, and temp files left by killed runs.
 */
function pruneCache(dir: string, keep: string): void {
  const now = Date.now();
  const entries: { path: string; size: number; used: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(full);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    if (name.includes('.tmp-')) {
      if (now - st.mtimeMs > STALE_TMP_MS) fs.rmSync(full, { force: true });
      continue;
    }
    entries.push({ path: full, size: st.size, used: st.mtimeMs });
  }
  let total = entries.reduce((n, e) => n + e.size, 0);
  const max = cacheMaxBytes();
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    if (total <= max) break;
    if (e.path === keep) continue;
    fs.rmSync(e.path, { force: true });
    total -= e.size;
  }
}

/**
 * @napi-rs/lzma's native `xz.decompressStream` pulls its input only as its output is read, so
 * memory stays bounded (docs/performance.md "Inputs"). Its `XzDecompressor` class is not: `update()`
 * returns only what is ready while the decoder thread runs ahead without backpressure, so the 633 KB
 * xz of a 1.26 GB core came back whole from `finish()` (2.26 GB resident).
 */
async function decompressXz(from: string, to: string): Promise<void> {
  const { xz } = await import('@napi-rs/lzma');
  const web = xz.decompressStream(Readable.toWeb(fs.createReadStream(from)) as ReadableStream<Uint8Array>);
  await pipeline(Readable.fromWeb(web as Parameters<typeof Readable.fromWeb>[0]), fs.createWriteStream(to, { mode: 0o600 }));
}

async function decompressZlib(kind: 'gzip' | 'zstd', from: string, to: string): Promise<void> {
  let t: NodeJS.ReadWriteStream;
  if (kind === 'gzip') {
    t = zlib.createGunzip();
  } else {
    const mk = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
    if (!mk) {
      throw new UnsupportedError('zstd', `${from} is zstd-compressed and this Node has no zstd support`, {
        hint: `run 'zstd -dk ${from}' and give the decompressed file, or use Node >= 22.15`,
      });
    }
    t = mk();
  }
  await pipeline(fs.createReadStream(from), t, fs.createWriteStream(to, { mode: 0o600 }));
}

/**
 * Decompress `p` (compressed with `kind`) into the cache, unless a cached copy exists; returns the
 * cache path. Errors from a corrupt stream become FormatError. Entries are 0600 in a 0700
 * directory (cores hold the process's secrets); the cache stays under GOSPY_CACHE_MAX_MB.
 */
export async function decompressToCache(p: string, kind: Compression): Promise<string> {
  const real = fs.realpathSync(p);
  const st = fs.statSync(real);
  const dir = path.join(cacheDir(), 'decompressed');
  const final = path.join(dir, contentKey(real, st.size));
  if (fs.existsSync(final)) {
    const now = new Date();
    fs.utimesSync(final, now, now); // most recently used: pruned last
    return final;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    if (kind === 'xz') await decompressXz(real, tmp);
    else await decompressZlib(kind, real, tmp);
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof UnsupportedError) throw e;
    throw new FormatError(`${kind} (${p})`, `cannot decompress: ${(e as Error).message}`, undefined, {
      hint: 'the compressed file may be cut off or corrupt; check it with the matching command-line tool',
      cause: e,
    });
  }
  pruneCache(dir, final);
  return final;
}
