/**
 * Byte layout of a .gsz file (docs/snapshot-format.md is the specification; this file is its
 * executable half). All integers little-endian.
 *
 *   [0, 64)            header
 *   [64, 64+metaLen)   metadata, UTF-8 JSON
 *   ...                chunk data (exe chunks, then memory chunks), packed
 *   [indexOff, +32×n)  index: n entries of 32 bytes, 8-byte aligned
 */

export const HEADER_SIZE = 64;
export const INDEX_ENTRY_SIZE = 32;

/** Header field offsets. */
export const H = {
  magic: 0, // 8 bytes "GOSPYSNP"
  version: 8, // u32
  headerSize: 12, // u32, 64 in version 1
  metaOffset: 16, // u64
  metaLength: 24, // u64
  indexOffset: 32, // u64
  indexCount: 40, // u64
  metaCrc: 48, // u32, CRC-32 (zlib) of the metadata bytes
  indexCrc: 52, // u32, CRC-32 of the index bytes
  flags: 56, // u32, 0 in version 1
  headerCrc: 60, // u32, CRC-32 of header bytes [0, 60)
} as const;

/** Index entry field offsets. */
export const E = {
  addr: 0, // u64: virtual address (memory) or file offset (exe)
  fileOffset: 8, // u64: where the stored bytes start in the .gsz
  length: 16, // u32: uncompressed length
  storedLength: 20, // u32: stored (compressed) length
  crc: 24, // u32: CRC-32 of the stored bytes
  stream: 28, // u8: STREAM_MEMORY or STREAM_EXE
  codec: 29, // u8: codec id (codec.ts CODEC_IDS)
  reserved: 30, // u16, 0
} as const;

export const STREAM_MEMORY = 0;
export const STREAM_EXE = 1;

/** Default chunk size: 4 MiB of address space (chunks never cross a multiple of it). */
export const DEFAULT_CHUNK_SIZE = 4 << 20;
/** Largest chunk a reader accepts (bounds memory use on corrupt input). */
export const MAX_CHUNK_SIZE = 64 << 20;
