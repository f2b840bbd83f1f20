/**
 * Argument text of a frame line, as `printArgs` in `src/runtime/traceback.go` prints it.
 * ≤1.16: `f.args/8` stack words from argp (at most 10, then `...`). 1.17+: the FUNCDATA_ArgInfo
 * program (offsets/sizes, `{`/`}` aggregates, `...`, `_`); 1.18+: a `?` after register-spilled
 * values the liveness bitmap (FUNCDATA_ArgLiveInfo at PCDATA_ArgLiveIndex) marks as possibly stale.
 */
import type { CodeFunc, CodeTable } from './code.ts';
import type { TracebackRules } from './layouts/traceback-rules.ts';

const END_SEQ = 0xff;
const START_AGG = 0xfe;
const END_AGG = 0xfd;
const DOTDOTDOT = 0xfc;
const OFFSET_TOO_LARGE = 0xfb;
const ARGS_SIZE_UNKNOWN = -0x80000000;
const PCDATA_ArgLiveIndex = 3;

export interface ArgMemory {
  /** 8 bytes at addr, or undefined when unreadable. */
  read8(addr: number): Uint8Array | undefined;
}

export function formatArgs(
  f: CodeFunc,
  argp: number,
  symPC: number,
  code: CodeTable,
  mem: ArgMemory,
  style: TracebackRules['args'],
): string {
  if (style === 'words') return stackWords(f, argp, mem);
  const info = code.argInfo(f);
  if (!info) return '';
  const live = style === 'arginfo-live' ? code.argLiveInfo(f) : undefined;
  const liveIdx = live ? code.pcdata(f, PCDATA_ArgLiveIndex, symPC) : -1;
  const startOffset = live && live.length > 0 ? live[0]! : 0xff;
  const isLive = (off: number, slot: number): boolean => {
    if (!live || liveIdx <= 0) return true;
    if (off < startOffset) return true;
    const byte = live[liveIdx + (slot >> 3)];
    return byte === undefined ? true : (byte & (1 << (slot & 7))) !== 0;
  };
  let out = '';
  let start = true;
  const comma = (): void => {
    if (!start) out += ', ';
  };
  let slot = 0;
  for (let pi = 0; pi < info.length; ) {
    const o = info[pi++]!;
    if (o === END_SEQ) break;
    if (o === START_AGG) {
      comma();
      out += '{';
      start = true;
      continue;
    }
    if (o === END_AGG) out += '}';
    else if (o === DOTDOTDOT) {
      comma();
      out += '...';
    } else if (o === OFFSET_TOO_LARGE) {
      comma();
      out += '_';
    } else {
      comma();
      const sz = info[pi++] ?? 8;
      out += word(mem, argp + o, sz);
      if (!isLive(o, slot)) out += '?';
      if (o >= startOffset) slot++;
    }
    start = false;
  }
  return out;
}

function word(mem: ArgMemory, addr: number, size: number): string {
  const b = mem.read8(addr);
  if (!b) return '?';
  // Little-endian `size` bytes as 0x-hex, in two 32-bit halves (no BigInt: this runs for every
  // argument word of every goroutine).
  const n = Math.min(size, 8);
  let lo = 0;
  let hi = 0;
  for (let i = Math.min(n, 4) - 1; i >= 0; i--) lo = lo * 256 + b[i]!;
  for (let i = n - 1; i >= 4; i--) hi = hi * 256 + b[i]!;
  if (hi === 0) return `0x${lo.toString(16)}`;
  return `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

function stackWords(f: CodeFunc, argp: number, mem: ArgMemory): string {
  const words = f.args === ARGS_SIZE_UNKNOWN ? 100 : Math.max(0, Math.floor(f.args / 8));
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    if (i >= 10) {
      parts.push('...');
      break;
    }
    parts.push(word(mem, argp + i * 8, 8));
  }
  return parts.join(', ');
}
