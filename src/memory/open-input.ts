/**
 * Open a user-supplied input file (core or executable), transparently decompressing xz, gzip and
 * zstd files (detected by magic, not by name) into a cache file that is reused next time:
 * `${GOSPY_CACHE:-~/.cache/gospy}/decompressed/<sha256(realpath, size, mtime)>`. Decompression
 * streams to disk (node:zlib for gzip/zstd, @napi-rs/lzma's XzDecompressor for xz), so inputs
 * larger than memory work; the cache file is written to a temp name and renamed into place.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { FormatError, MissingInputError, UnsupportedError } from '../base/errors.ts';
import { type FileSource, openFileSource } from './file-source.ts';

export type Compression = 'xz' | 'gzip' | 'zstd';

export interface OpenedInput {
  /** Reads the (decompressed) bytes; its `name` is the path the user gave. */
  readonly source: FileSource;
  /** The file actually opened: the input itself, or the decompressed cache file. */
  readonly path: string;
  /** The path the user gave. */
  readonly originalPath: string;
  readonly decompressedFrom?: Compression;
}

/** The gospy cache directory: $GOSPY_CACHE, else ~/.cache/gospy. */
export function cacheDir(): string {
  return process.env['GOSPY_CACHE'] || path.join(os.homedir(), '.cache', 'gospy');
}

/** Compression of `head` (the first bytes of a file), by magic. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  const m = (bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (m([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (m([0x1f, 0x8b])) return 'gzip';
  if (m([0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return undefined;
}

function readHead(p: string): Uint8Array {
  const fd = fs.openSync(p, 'r');
  try {
    const b = new Uint8Array(8);
    const n = fs.readSync(fd, b, 0, 8, 0);
    return b.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

async function decompressXz(from: string, to: string): Promise<void> {
  const { XzDecompressor } = await import('@napi-rs/lzma');
  const dec = new XzDecompressor();
  const inFd = fs.openSync(from, 'r');
  const outFd = fs.openSync(to, 'w');
  try {
    const chunk = new Uint8Array(4 << 20);
    let pos = 0;
    for (;;) {
      const n = fs.readSync(inFd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      pos += n;
      // update() returns a view that is only valid until the next call: write it out now.
      const out = dec.update(chunk.subarray(0, n));
      if (out.length > 0) fs.writeSync(outFd, out);
    }
    const tail = await dec.finish();
    if (tail.length > 0) fs.writeSync(outFd, tail);
  } finally {
    fs.closeSync(inFd);
    fs.closeSync(outFd);
  }
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
  await pipeline(fs.createReadStream(from), t, fs.createWriteStream(to));
}

/**
 * Decompress `p` (compressed with `kind`) into the cache, unless a cached copy exists; returns the
 * cache path. Errors from a corrupt stream become FormatError.
 */
export async function decompressToCache(p: string, kind: Compression): Promise<string> {
  const real = fs.realpathSync(p);
  const st = fs.statSync(real);
  const key = createHash('sha256').update(`${real}\0${st.size}\0${st.mtimeMs}`).digest('hex');
  const dir = path.join(cacheDir(), 'decompressed');
  const final = path.join(dir, key);
  if (fs.existsSync(final)) return final;
  fs.mkdirSync(dir, { recursive: true });
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
  return final;
}

/** Open `p`, decompressing it into the cache first if it is xz, gzip or zstd. */
export async function openInput(p: string): Promise<OpenedInput> {
  let head: Uint8Array;
  try {
    head = readHead(p);
  } catch {
    // Let openFileSource produce the typed error with its hint.
    openFileSource(p).close();
    throw new MissingInputError(p, `cannot open ${p}`);
  }
  const kind = detectCompression(head);
  if (!kind) return { source: openFileSource(p), path: p, originalPath: p };
  const out = await decompressToCache(p, kind);
  return { source: openFileSource(out, { name: p }), path: out, originalPath: p, decompressedFrom: kind };
}
