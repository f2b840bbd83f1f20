/**
 * FUNCDATA lookups and the raw argument-info streams. Mirrors `funcdata` in golang/go src/runtime/symtab.go
 * (go1.12–go1.27) and the ArgInfo/ArgLiveInfo readers in src/runtime/traceback.go (`printArgs`, go1.17+);
 * encoding written by cmd/compile/internal/ssagen (`emitArgInfo`) and cmd/compile/internal/liveness (`ArgLiveness`).
 *   ≤1.17: P-byte absolute link-time pointers, 8-aligned on 64-bit (skip 4 bytes if the array starts ≡ 4 mod 8).
 *   1.18+: u32 offsets from moduledata.gofunc; 0xffffffff = absent.
 */
import { UnsupportedError } from '../../base/errors.ts';
import { rdU32, rdWord } from './header.ts';
import type { Func } from './func.ts';
import type { FuncFieldOffsets } from './eras.ts';

export interface FuncdataContext {
  readonly data: Uint8Array;
  readonly ptrSize: number;
  readonly funcdataIsOffset: boolean;
  readonly fo: FuncFieldOffsets;
  readonly linkBias: number;
  readonly gofunc: number | undefined;
}

export function funcdataAddr(c: FuncdataContext, f: Func, index: number): number | undefined {
  if (!(index >= 0 && index < f.nfuncdata)) return undefined;
  let p = f.off + c.fo.size + 4 * f.npcdata;
  if (c.funcdataIsOffset) {
    const off = rdU32(c.data, p + 4 * index, 'funcdata offset');
    if (off === 0xffffffff) return undefined;
    if (c.gofunc === undefined) {
      throw new UnsupportedError('gofunc', `funcdata of ${f.name} needs moduledata.gofunc (Go 1.18+); pass ctx.gofunc`);
    }
    return c.gofunc + off;
  }
  if (c.ptrSize === 8 && p % 8 === 4) p += 4;
  const ptr = rdWord(c.data, p + c.ptrSize * index, c.ptrSize, 'funcdata pointer');
  if (ptr === 0) return undefined;
  return ptr + c.linkBias;
}

/** ArgInfo stream terminator (`_endSeq` in src/runtime/traceback.go). */
export const ARGINFO_END = 0xff;
export const ARGINFO_CAP = 1024;
const CHUNK = 64;

/**
 * Read bytes at addr in chunks until `stop(byte)` is true (inclusive) or `cap` bytes were read.
 * Returns undefined when nothing at addr is readable.
 */
export function readStream(
  readMemory: (addr: number, len: number) => Uint8Array | undefined,
  addr: number,
  cap: number,
  stop: ((b: number) => boolean) | undefined,
): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < cap) {
    const want = Math.min(CHUNK, cap - total);
    let chunk = readMemory(addr + total, want);
    if (!chunk || chunk.length === 0) {
      // the stream may end just before an unmapped boundary: fall back to single bytes
      chunk = readMemory(addr + total, 1);
      if (!chunk || chunk.length === 0) break;
    }
    if (stop) {
      let k = 0;
      while (k < chunk.length && !stop(chunk[k]!)) k++;
      if (k < chunk.length) {
        parts.push(chunk.subarray(0, k + 1));
        total += k + 1;
        return concat(parts, total);
      }
    }
    parts.push(chunk);
    total += chunk.length;
  }
  if (total === 0) return undefined;
  return concat(parts, total);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
