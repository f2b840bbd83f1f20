/**
 * A ByteSource over a file on disk: positioned reads (fs.readSync with an explicit position) through
 * a small bounded LRU of fixed-size blocks, so a multi-GB core is never read whole and repeated small
 * reads (headers, pointer chasing) do not hit the disk each time.
 */
import * as fs from 'node:fs';
import type { ByteSource } from '../base/bytes.ts';
import { MissingInputError } from '../base/errors.ts';

export interface FileSource extends ByteSource {
  readonly path: string;
  close(): void;
}

export interface FileSourceOptions {
  /** Block size in bytes (default 256 KiB). */
  readonly blockSize?: number;
  /** Blocks kept (default 64, i.e. 16 MiB). */
  readonly maxBlocks?: number;
  /** Name for messages (default: the path). */
  readonly name?: string;
}

class CachedFileSource implements FileSource {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  private fd: number;
  private readonly blockSize: number;
  private readonly maxBlocks: number;
  /** Map insertion order is the LRU order: the first key is the least recently used. */
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(path: string, fd: number, size: number, opts: FileSourceOptions) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.name = opts.name ?? path;
    this.blockSize = opts.blockSize ?? 256 * 1024;
    this.maxBlocks = Math.max(1, opts.maxBlocks ?? 64);
  }

  private readAt(buf: Uint8Array, pos: number): number {
    if (this.fd < 0) {
      throw new MissingInputError(this.path, `${this.name} was read after gospy closed it (a gospy bug: please report it with the command line)`);
    }
    let done = 0;
    while (done < buf.length) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, done, buf.length - done, pos + done);
      } catch (e) {
        // EIO and the like: the disk or the network file system failed under the file.
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        throw new MissingInputError(this.path, `cannot read ${this.name} at offset ${pos + done}: ${code}`, {
          hint: 'the file cannot be read back from its storage; copy it to a local disk and try again',
          cause: e,
        });
      }
      if (n <= 0) break;
      done += n;
    }
    return done;
  }

  private block(index: number): Uint8Array {
    const hit = this.blocks.get(index);
    if (hit) {
      this.blocks.delete(index);
      this.blocks.set(index, hit);
      return hit;
    }
    const start = index * this.blockSize;
    const len = Math.min(this.blockSize, this.size - start);
    const buf = new Uint8Array(Math.max(0, len));
    const n = this.readAt(buf, start);
    const b = n === buf.length ? buf : buf.subarray(0, n);
    this.blocks.set(index, b);
    if (this.blocks.size > this.maxBlocks) {
      const oldest = this.blocks.keys().next().value;
      if (oldest !== undefined) this.blocks.delete(oldest);
    }
    return b;
  }

  read(offset: number, length: number): Uint8Array {
    if (!(offset >= 0) || !(length > 0) || offset >= this.size) return new Uint8Array(0);
    const end = Math.min(this.size, offset + length);
    const len = end - offset;
    // Large reads go straight to the file (no cache pollution).
    if (len > this.blockSize * 2) {
      const buf = new Uint8Array(len);
      const n = this.readAt(buf, offset);
      return n === len ? buf : buf.subarray(0, n);
    }
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    if (first === last) {
      const b = this.block(first);
      const rel = offset - first * this.blockSize;
      return b.subarray(rel, Math.min(b.length, rel + len));
    }
    const out = new Uint8Array(len);
    let filled = 0;
    for (let i = first; i <= last; i++) {
      const b = this.block(i);
      const bStart = i * this.blockSize;
      const from = Math.max(offset, bStart) - bStart;
      const to = Math.min(end, bStart + b.length) - bStart;
      if (to <= from) break;
      out.set(b.subarray(from, to), bStart + from - offset);
      filled = bStart + to - offset;
      if (b.length < this.blockSize) break;
    }
    return filled === len ? out : out.subarray(0, filled);
  }

  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
      this.blocks.clear();
    }
  }
}

/**
 * Open `path` for random access. A missing or unreadable file throws MissingInputError with a hint;
 * a directory is refused the same way.
 */
export function openFileSource(path: string, opts: FileSourceOptions = {}): FileSource {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new MissingInputError(path, `cannot open ${path}: ${why}`, {
      hint: code === 'EACCES' ? 'check the file permissions (cores are often mode 0600, owned by root)' : 'check the path',
      cause: e,
    });
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new MissingInputError(path, `${path} is not a regular file`, { hint: 'give the path of a file' });
  }
  return new CachedFileSource(path, fd, st.size, opts);
}
