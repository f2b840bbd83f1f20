/**
 * The chunk codecs of the .gsz format (docs/snapshot-format.md): ids as stored in the index, async
 * compression (off the JS thread, so chunks compress in parallel) and synchronous decompression with
 * the decompressed length checked against the index. Decoding errors become FormatError naming the
 * chunk; nothing else escapes.
 */
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { XzCompressor, xz } from '@napi-rs/lzma';
import { FormatError, UnsupportedError } from '../../base/errors.ts';
import type { CodecName } from './schema.ts';

/** Codec ids in the index (one byte). Never renumber: files on disk carry these. */
export const CODEC_IDS: Readonly<Record<CodecName, number>> = { none: 0, xz: 1, brotli: 2, gzip: 3 };
const NAMES: readonly CodecName[] = ['none', 'xz', 'brotli', 'gzip'];

export function codecName(id: number): CodecName | undefined {
  return NAMES[id];
}

/** Default levels: xz preset 0, brotli quality 1, gzip level 1 (the fast end; see the measurements). */
export const DEFAULT_LEVEL: Readonly<Record<CodecName, number>> = { none: 0, xz: 0, brotli: 1, gzip: 1 };

const brotliCompress = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Compress one chunk. `level` is the xz preset (0–9), brotli quality (0–11) or gzip level (1–9). */
export async function compressChunk(codec: CodecName, data: Uint8Array, level = DEFAULT_LEVEL[codec]): Promise<Uint8Array> {
  switch (codec) {
    case 'none':
      return data;
    case 'xz': {
      const c = new XzCompressor({ preset: level });
      // update() returns a view that is valid only until the next call: copy it.
      const head = Buffer.from(c.update(data));
      const tail = await c.finish();
      return head.length === 0 ? tail : Buffer.concat([head, tail]);
    }
    case 'brotli':
      return brotliCompress(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: level,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      });
    case 'gzip':
      return gzip(data, { level });
  }
}

/**
 * Decompress one chunk to exactly `length` bytes. `what` names the chunk in errors. Throws
 * UnsupportedError for an unknown codec id and FormatError for data that does not decode to
 * `length` bytes.
 */
export function decompressChunk(codecId: number, data: Uint8Array, length: number, what: string): Uint8Array {
  const codec = codecName(codecId);
  if (codec === undefined) {
    throw new UnsupportedError('snapshot codec', `${what} uses codec ${codecId}, which this gospy does not know (it knows ${NAMES.map((n, i) => `${i} ${n}`).join(', ')})`, {
      hint: 'the snapshot was written by a newer gospy: analyze it with that version',
    });
  }
  let out: Uint8Array;
  try {
    switch (codec) {
      case 'none':
        out = data;
        break;
      case 'xz':
        out = xz.decompressSync(data);
        break;
      case 'brotli':
        out = zlib.brotliDecompressSync(data, { maxOutputLength: Math.max(1, length) });
        break;
      case 'gzip':
        out = zlib.gunzipSync(data, { maxOutputLength: Math.max(1, length) });
        break;
    }
  } catch (e) {
    throw new FormatError(what, `${codec} data does not decompress: ${(e as Error).message}`, undefined, {
      hint: 'the snapshot file is corrupt; capture again',
      cause: e,
    });
  }
  if (out.length !== length) {
    throw new FormatError(what, `${codec} data decompressed to ${out.length} bytes, the index says ${length}`, undefined, {
      hint: 'the snapshot file is corrupt; capture again',
    });
  }
  return out;
}
