/**
 * Compressed ELF sections, as Go's debug/elf `Section.Open` handles them: SHF_COMPRESSED sections
 * start with an Elf64_Chdr {u32 ch_type, u32 ch_reserved, u64 ch_size, u64 ch_addralign} (ch_type 1
 * zlib, 2 zstd); the older GNU `.zdebug_*` sections start with "ZLIB" and an 8-byte big-endian size.
 */
import { inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { FormatError, UnsupportedError } from '../../base/errors.ts';
import { u32, u64 } from '../../base/bytes.ts';
import { ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD } from './constants.ts';

/** Largest decompressed section gospy will allocate (DWARF of very big binaries stays well below). */
export const MAX_DECOMPRESSED = 1 << 30;
/** zlib cannot expand more than ~1032:1; anything claiming more is corrupt. */
const MAX_RATIO = 1100;

function checkSize(what: string, size: number, compressed: number, offset: number): void {
  if (!Number.isFinite(size) || size > MAX_DECOMPRESSED || size > Math.max(compressed, 64) * MAX_RATIO) {
    throw new FormatError(what, `implausible decompressed size ${size} for ${compressed} compressed bytes`, offset);
  }
}

function finish(what: string, out: Uint8Array, size: number, offset: number): Uint8Array {
  if (out.length !== size) {
    throw new FormatError(what, `decompressed to ${out.length} bytes, header says ${size}`, offset);
  }
  // A plain Uint8Array view, not a Buffer, like every other reader result.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function run(what: string, offset: number, f: () => Uint8Array): Uint8Array {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormatError || e instanceof UnsupportedError) throw e;
    throw new FormatError(what, `cannot decompress: ${(e as Error).message}`, offset, { cause: e });
  }
}

/** Decompress a SHF_COMPRESSED section's bytes (`raw` starts with the Elf64_Chdr). */
export function decompressChdr(raw: Uint8Array, what: string, offset: number): Uint8Array {
  if (raw.length < 24) throw new FormatError(what, 'compressed section shorter than its Elf64_Chdr', offset);
  const type = u32(raw, 0);
  const size = u64(raw, 8);
  const body = raw.subarray(24);
  checkSize(what, size, body.length, offset);
  if (type === ELFCOMPRESS_ZLIB) {
    return run(what, offset, () => finish(what, inflateSync(body, { maxOutputLength: Math.max(size, 1) }), size, offset));
  }
  if (type === ELFCOMPRESS_ZSTD) {
    const z = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: object) => Uint8Array }).zstdDecompressSync;
    if (!z) {
      throw new UnsupportedError('elf-zstd', `${what}: zstd-compressed section, and this Node has no zstd`, {
        hint: 'use Node >= 22.15',
      });
    }
    return run(what, offset, () => finish(what, z(body, { maxOutputLength: Math.max(size, 1) }), size, offset));
  }
  throw new UnsupportedError('elf-compression', `${what}: unknown compression type ${type}`);
}

/** Decompress a GNU `.zdebug_*` section ("ZLIB" + big-endian u64 size + zlib stream). */
export function decompressZdebug(raw: Uint8Array, what: string, offset: number): Uint8Array {
  if (raw.length < 12 || raw[0] !== 0x5a || raw[1] !== 0x4c || raw[2] !== 0x49 || raw[3] !== 0x42) {
    throw new FormatError(what, '.zdebug section does not start with "ZLIB"', offset);
  }
  let size = 0;
  for (let i = 4; i < 12; i++) size = size * 256 + raw[i]!;
  const body = raw.subarray(12);
  checkSize(what, size, body.length, offset);
  return run(what, offset, () => finish(what, inflateSync(body, { maxOutputLength: Math.max(size, 1) }), size, offset));
}
