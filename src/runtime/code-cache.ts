/**
 * Memoises the per-function and per-pc lookups that repeat across goroutines: 100k goroutines parked
 * in the same few functions ask for the same inline expansions and argument programs over and over.
 */
import type { CodeFunc, CodeInlineFrame, CodeTable } from './code.ts';

export function cachedCode(inner: CodeTable): CodeTable {
  const inline = new Map<CodeFunc, Map<number, readonly CodeInlineFrame[]>>();
  const argInfo = new Map<CodeFunc, Uint8Array | undefined>();
  const argLive = new Map<CodeFunc, Uint8Array | undefined>();
  return {
    quantum: inner.quantum,
    findFunc: (pc) => inner.findFunc(pc),
    funcByName: (name) => inner.funcByName(name),
    pcsp: (f, pc) => inner.pcsp(f, pc),
    fileLine: (f, pc) => inner.fileLine(f, pc),
    pcdata: (f, index, pc) => inner.pcdata(f, index, pc),
    inlineFrames(f, pc) {
      let byPc = inline.get(f);
      if (!byPc) inline.set(f, (byPc = new Map()));
      let frames = byPc.get(pc);
      if (!frames) byPc.set(pc, (frames = inner.inlineFrames(f, pc)));
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
