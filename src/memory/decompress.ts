/**
 * The decompression cache: an xz, gzip or zstd input is decompressed once, streaming, into
 * `${GOSPY_CACHE:-~/.cache/gospy}/decompressed/<content key>` (see contentKey) and read from there
 * with random access; least recently used entries are removed beyond GOSPY_CACHE_MAX_MB (default
 * 16 GiB). Every codec streams with bounded memory (docs/performance.md "Inputs"): node:zlib for
 * gzip/zstd, @napi-rs/lzma's native `xz.decompressStream` for xz (its `XzDecompressor` class is
 * not bounded: `update()` returns only what is ready while the decoder thread runs ahead without
 * backpressure, so a 633 KB xz of a 1.26 GB core came back whole from `finish()`).
 *
 * A stream that ends early (a copy cut short) is not refused: what decompresses is kept as a
 * `.cut` entry and read like a raw core cut short, with a warning.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FormatError, MissingInputError, UnsupportedError } from '../base/errors.ts';
import type { Compression } from './input-kind.ts';

/** Suffix of a cache entry that holds only the decompressible prefix of a stream cut short. */
export const CUT_SUFFIX = '.cut';

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
 * The cache directory could not be made or written: a user setting (GOSPY_CACHE pointing at a file
 * or a read-only place, or an unwritable home), not a gospy bug. One line naming the variable.
 */
function cacheUnusable(dir: string, e: unknown): MissingInputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? 'a path component is a file, not a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'read-only file system'
          : code === 'ENOSPC'
            ? 'no space left on the device'
            : code === 'ENOENT'
              ? 'a directory cannot be made there'
              : (e as Error).message;
  const set = process.env['GOSPY_CACHE'];
  const where = set ? `GOSPY_CACHE=${set}` : `${cacheDir()} (GOSPY_CACHE is not set)`;
  return new MissingInputError(dir, `cannot use the decompression cache ${where}: ${dir}: ${why}`, {
    hint: set
      ? 'point GOSPY_CACHE at a writable directory (or unset it to use ~/.cache/gospy), or give the input decompressed'
      : 'set GOSPY_CACHE to a writable directory, or give the input decompressed',
    cause: e,
  });
}

/** The errno codes that mean "the cache is unusable here" rather than a bug. */
function isCacheErrno(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return ['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOENT', 'EDQUOT'].includes(code ?? '');
}

/** A failed write of a cache file: out of space, or refused (errors on the input itself are not). */
function isCacheWriteError(e: unknown, dir: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOSPC' || err.code === 'EDQUOT' || (isCacheErrno(e) && err.path?.startsWith(dir) === true);
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
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by a concurrent gospy
      throw e;
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

/** The decompressed bytes of `from`, as a stream (lazy: @napi-rs/lzma is loaded only for xz). */
async function decompressedStream(kind: Compression, from: string): Promise<NodeJS.ReadableStream[]> {
  const input = fs.createReadStream(from);
  if (kind === 'xz') {
    const { xz } = await import('@napi-rs/lzma');
    // The native transform pulls input only as its output is read: memory stays bounded.
    const web = xz.decompressStream(Readable.toWeb(input) as ReadableStream<Uint8Array>);
    return [Readable.fromWeb(web as Parameters<typeof Readable.fromWeb>[0])];
  }
  if (kind === 'gzip') return [input, zlib.createGunzip()];
  const mk = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
  if (!mk) {
    input.destroy();
    throw new UnsupportedError('zstd', `${from} is zstd-compressed and this Node has no zstd support`, {
      hint: `run 'zstd -dk ${from}' and give the decompressed file, or use Node >= 22.15`,
    });
  }
  return [input, mk()];
}

/**
 * Whether `e` says the compressed stream ended early: zlib's Z_BUF_ERROR "unexpected end of file"
 * (gzip, zstd), or the xz decoder's end of input inside a block (Rust's io::ErrorKind::UnexpectedEof,
 * "failed to fill whole buffer").
 */
function isCutShort(e: unknown): boolean {
  const m = e instanceof Error ? e.message : '';
  return /unexpected end of (file|input)|failed to fill whole buffer/i.test(m);
}

/**
 * Decompress `from` into the file `to`, writing each chunk as it comes (synchronously, so nothing
 * decoded before an error is lost). Returns the bytes written and whether the stream was cut short.
 */
async function decompressFile(kind: Compression, from: string, to: string): Promise<{ bytes: number; cutShort: boolean }> {
  const outFd = fs.openSync(to, 'w', 0o600);
  let bytes = 0;
  try {
    const stages = await decompressedStream(kind, from);
    const writeOut = async (source: AsyncIterable<Uint8Array>): Promise<void> => {
      for await (const chunk of source) {
        fs.writeSync(outFd, chunk);
        bytes += chunk.length;
      }
    };
    await (pipeline as (...stages: unknown[]) => Promise<void>)(...stages, writeOut);
    return { bytes, cutShort: false };
  } catch (e) {
    if (isCutShort(e) && bytes > 0) return { bytes, cutShort: true };
    throw e;
  } finally {
    fs.closeSync(outFd);
  }
}

/**
 * Decompress `p` (compressed with `kind`) into the cache, unless a cached copy exists; returns the
 * cache path, which ends in CUT_SUFFIX when the stream was cut short (the entry holds what
 * decompressed). A corrupt stream, or one cut before any data, is a FormatError; a cache directory
 * that cannot be made or written (GOSPY_CACHE a file, read-only, full) a MissingInputError that
 * names GOSPY_CACHE. Entries are 0600 in a 0700 directory (cores hold the process's secrets); the
 * cache stays under GOSPY_CACHE_MAX_MB.
 */
export async function decompressToCache(p: string, kind: Compression): Promise<string> {
  const real = fs.realpathSync(p);
  const st = fs.statSync(real);
  const dir = path.join(cacheDir(), 'decompressed');
  const key = path.join(dir, contentKey(real, st.size));
  for (const hit of [key, key + CUT_SUFFIX]) {
    if (!fs.existsSync(hit)) continue;
    touch(hit);
    return hit;
  }
  try {
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    if (isCacheErrno(e)) throw cacheUnusable(dir, e);
    throw e;
  }
  const tmp = `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let final = key;
  try {
    const r = await decompressFile(kind, real, tmp);
    if (r.cutShort) final = key + CUT_SUFFIX;
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof UnsupportedError) throw e;
    if (isCacheWriteError(e, dir)) throw cacheUnusable(dir, e);
    throw new FormatError(`${kind} (${p})`, `cannot decompress: ${(e as Error).message}`, undefined, {
      hint: isCutShort(e)
        ? 'the compressed file is cut short before any data; copy it again'
        : 'the compressed file is corrupt; check it with the matching command-line tool',
      cause: e,
    });
  }
  pruneCache(dir, final);
  return final;
}

/**
 * mkdir -p with mode 0700, one level at a time: Node's `mkdirSync(…, { recursive: true })` spins
 * forever on a path under /proc (mkdir says ENOENT for a parent that exists), and GOSPY_CACHE may
 * point anywhere.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) fs.mkdirSync(d, { mode: 0o700 });
}

/** Mark a cache entry most recently used (pruned last); a read-only cache just stays as it is. */
function touch(p: string): void {
  try {
    const now = new Date();
    fs.utimesSync(p, now, now);
  } catch (e) {
    if (!isCacheErrno(e)) throw e;
  }
}
