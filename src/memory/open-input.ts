/**
 * Open a user-supplied file for random access and say what it is: xz, gzip and zstd files
 * (detected by magic, not by name) are decompressed into the cache first (decompress.ts), then the
 * content is classified by input-kind.ts. Which kinds gospy reads, and how, is user-input.ts.
 */
import type { Warning } from '../base/warnings.ts';
import { CUT_SUFFIX, decompressToCache } from './decompress.ts';
import { type Compression, HEAD_BYTES, type InputKind, detectInputKind } from './input-kind.ts';
import { type FileSource, openFileSource } from './file-source.ts';

export { cacheDir, decompressToCache } from './decompress.ts';
export { type Compression, detectCompression } from './input-kind.ts';

export interface OpenedInput {
  /** Reads the (decompressed) bytes; its `name` is the path the user gave. */
  readonly source: FileSource;
  /** The file actually opened: the input itself, or the decompressed cache file. */
  readonly path: string;
  /** The path the user gave. */
  readonly originalPath: string;
  readonly decompressedFrom?: Compression;
  /** What the (decompressed) content is. */
  readonly kind: InputKind;
  /** E.g. a compressed stream cut short, of which only the prefix is read. */
  readonly warnings: readonly Warning[];
}

/** The kind of the content `src` reads. */
function kindOf(src: FileSource): InputKind {
  return detectInputKind(src.read(0, HEAD_BYTES), src.size);
}

/** Open `p`, decompressing it into the cache first if it is xz, gzip or zstd, and classify it. */
export async function openInput(p: string): Promise<OpenedInput> {
  const raw = openFileSource(p); // MissingInputError with a hint when absent or unreadable
  const kind = kindOf(raw);
  if (kind.kind !== 'compressed') return { source: raw, path: p, originalPath: p, kind, warnings: [] };
  raw.close();
  const out = await decompressToCache(p, kind.codec);
  const source = openFileSource(out, { name: p });
  const warnings: Warning[] = [];
  if (out.endsWith(CUT_SUFFIX)) {
    warnings.push({
      kind: 'input-cut-short',
      message: `${p} is cut short: its ${kind.codec} stream ends early; reading the ${source.size} bytes that decompress`,
    });
  }
  return { source, path: out, originalPath: p, decompressedFrom: kind.codec, kind: kindOf(source), warnings };
}

