/**
 * Memoises the per-function and per-pc lookups that repeat across goroutines: 100k goroutines parked
 * in the same few functions ask for the same functions, frame sizes, inline expansions and argument
 * programs over and over. Keys are pcs (a pc determines its function), so the maps are bounded by the
 * distinct pcs the stacks hold, not by goroutines.
 */
import type { CodeFunc, CodeInlineFrame, CodeTable } from './code.ts';

/** pcdata tables are few (PCDATA_* indices < 8): pc * 8 + index is a unique key below 2^53. */
const PCDATA_KEY_STRIDE = 8;

export function cachedCode(inner: CodeTable): CodeTable {
  const funcs = new Map<number, CodeFunc | undefined>();
  const spDeltas = new Map<number, number>();
  const lines = new Map<number, { file: string; line: number }>();
  const pcdatas = new Map<number, number>();
  const inline = new Map<number, readonly CodeInlineFrame[]>();
  const argInfo = new Map<CodeFunc, Uint8Array | undefined>();
  const argLive = new Map<CodeFunc, Uint8Array | undefined>();
  return {
    quantum: inner.quantum,
    findFunc(pc) {
      let f = funcs.get(pc);
      if (f === undefined && !funcs.has(pc)) funcs.set(pc, (f = inner.findFunc(pc)));
      return f;
    },
    funcByName: (name) => inner.funcByName(name),
    pcsp(f, pc) {
      let v = spDeltas.get(pc);
      if (v === undefined) spDeltas.set(pc, (v = inner.pcsp(f, pc)));
      return v;
    },
    fileLine(f, pc) {
      let v = lines.get(pc);
      if (v === undefined) lines.set(pc, (v = inner.fileLine(f, pc)));
      return v;
    },
    pcdata(f, index, pc) {
      if (index >= PCDATA_KEY_STRIDE || index < 0) return inner.pcdata(f, index, pc);
      const key = pc * PCDATA_KEY_STRIDE + index;
      let v = pcdatas.get(key);
      if (v === undefined) pcdatas.set(key, (v = inner.pcdata(f, index, pc)));
      return v;
    },
    inlineFrames(f, pc) {
      let frames = inline.get(pc);
      if (!frames) inline.set(pc, (frames = inner.inlineFrames(f, pc)));
      return frames;
    },
    argInfo(f) {
      if (!argInfo.has(f)) argInfo.set(f, inner.argInfo(f));
      return argInfo.get(f);
    },
    argLiveInfo(f) {
      if (!argLive.has(f)) argLive.set(f, inner.argLiveInfo(f));
      return argLive.get(f);
    },
  };
}
