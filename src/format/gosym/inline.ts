/**
 * Inline-tree records and the expansion of one physical PC into logical frames.
 * Mirrors golang/go src/runtime/symtabinl.go (`inlineUnwinder`, go1.21–go1.27), src/runtime/symtab.go
 * (`inlinedCall`, `Frames.Next`, go1.12–go1.20) and src/runtime/traceback.go (inline expansion in
 * `gentraceback`, ≤go1.20). Record layouts per era are in eras.ts (20 bytes ≤1.19, 16 bytes 1.20+).
 */
import { i32 } from '../../base/bytes.ts';
import { UnmappedAddressError } from '../../base/errors.ts';
import type { InlinedCallLayout } from './eras.ts';

export interface InlinedCall {
  funcID: number;
  nameOff: number;
  parentPc: number;
  startLine: number | undefined;
}

export interface InlineFrame {
  name: string;
  file: string;
  line: number;
  funcID: number;
  special: string | undefined;
  /** true for a frame inlined into the physical function; the last frame is the physical one (false). */
  inlined: boolean;
  /** The pc whose file:line this frame shows (for the physical frame: the outermost call site's pc). */
  pc: number;
}

/** Read inlinedCall #idx of the tree at runtime address `tree`. */
export function readInlinedCall(
  readMemory: (addr: number, len: number) => Uint8Array | undefined,
  tree: number,
  idx: number,
  layout: InlinedCallLayout,
  funcName: string,
): InlinedCall {
  const addr = tree + idx * layout.size;
  const b = readMemory(addr, layout.size);
  if (!b || b.length < layout.size) throw new UnmappedAddressError(addr, layout.size, `inline tree of ${funcName}`);
  return {
    funcID: b[layout.funcID]!,
    nameOff: i32(b, layout.nameOff),
    parentPc: i32(b, layout.parentPc),
    startLine: layout.startLine === undefined ? undefined : i32(b, layout.startLine),
  };
}

/** Deepest inline chain accepted before the tree is declared cyclic/corrupt. */
export const MAX_INLINE_DEPTH = 1000;
