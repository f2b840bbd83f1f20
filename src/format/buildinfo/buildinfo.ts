/**
 * Go build information, mirroring golang/go:src/debug/buildinfo/buildinfo.go (go1.19–go1.27: the
 * `.go.buildinfo` header, pointer form ≤1.17 and inline varint form 1.18+),
 * cmd/link/internal/ld/data.go `buildinfo()` (the writer), runtime/debug/mod.go `ParseBuildInfo`
 * and `BuildInfo.String` (the module-info text and how `go version -m` prints it), and
 * cmd/go/internal/modload/build.go (the 16-byte sentinels around the module info).
 * Binaries with no buildinfo at all (go1.12, some go1.25+ release builds) are handled by
 * findBuildVersionString, which finds runtime.buildVersion's {ptr, len} string header.
 */
import { u32, u64, uvarint } from '../../base/bytes.ts';
import { FormatError } from '../../base/errors.ts';

/** What the buildinfo reader needs from an executable (an ELF adapter lives with the caller). */
export interface BuildInfoSource {
  /** A section by name with its link-time address, if section headers exist. */
  section(name: string): { addr: number; data: Uint8Array } | undefined;
  /** Writable PT_LOAD segments (file-backed bytes) at their link-time addresses. */
  writableSegments(): { vaddr: number; data: Uint8Array }[];
  /** Optional: read-only PT_LOAD segments, used by findBuildVersionString when there is no .rodata. */
  readonlySegments?(): { vaddr: number; data: Uint8Array }[];
  /** `len` bytes at link-time address `addr`, or undefined when not file-backed. */
  readVirtual(addr: number, len: number): Uint8Array | undefined;
  readonly ptrSize: number;
}

export interface Module {
  readonly path: string;
  readonly version: string;
  readonly sum: string;
  readonly replace?: Module | undefined;
}

export interface BuildInfo {
  /** "go1.21.13", as `go version` prints it. */
  readonly goVersion: string;
  /** The main package path ("path" line); empty when absent. */
  readonly path: string;
  readonly main: Module | undefined;
  readonly deps: readonly Module[];
  /** "build" lines as [key, value], unquoted. */
  readonly settings: readonly (readonly [string, string])[];
  /** Module info text with sentinels stripped ('' when absent). */
  readonly modinfo: string;
  /** Link-time address of the 32-byte header. */
  readonly headerAddr: number;
  /** Where the header was found. */
  readonly foundIn: 'section' | 'segment';
}

const WHAT = 'go buildinfo';
/** `\xff Go buildinf:` */
export const buildInfoMagic = new Uint8Array([0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]);
const buildInfoAlign = 16;
const buildInfoHeaderSize = 32;
const flagsEndianBig = 0x1;
const flagsVersionInl = 0x2;
/** Longest version or module-info string accepted (debug/buildinfo has no limit; this stops hostile lengths). */
const maxStringLen = 16 << 20;

/**
 * Finds and decodes the build information: `.go.buildinfo` by name, else the magic at a 16-byte
 * aligned address of a writable segment. Returns undefined when there is none (the caller decides
 * whether to fall back to findBuildVersionString or raise NotGoError). Throws FormatError when a
 * header is found but does not decode.
 */
export function findBuildInfo(exe: BuildInfoSource): BuildInfo | undefined {
  const sec = exe.section('.go.buildinfo');
  if (sec !== undefined) {
    const i = findMagic(sec.data, sec.addr);
    if (i >= 0) return decodeHeader(exe, sec.data.subarray(i), sec.addr + i, 'section');
  }
  for (const seg of exe.writableSegments()) {
    const i = findMagic(seg.data, seg.vaddr);
    if (i >= 0) return decodeHeader(exe, seg.data.subarray(i), seg.vaddr + i, 'segment');
  }
  return undefined;
}

/** Index of the first magic whose address is 16-byte aligned, or -1. */
function findMagic(data: Uint8Array, base: number): number {
  let from = 0;
  for (;;) {
    const i = indexOf(data, buildInfoMagic, from);
    if (i < 0) return -1;
    if ((base + i) % buildInfoAlign === 0) return i;
    from = i + 1;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let ok = true;
    for (let j = 1; j < needle.length; j++) {
      if (hay[i + j] !== needle[j]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}

function decodeHeader(exe: BuildInfoSource, d: Uint8Array, addr: number, foundIn: 'section' | 'segment'): BuildInfo {
  if (d.length < buildInfoHeaderSize) throw new FormatError(WHAT, `header truncated (${d.length} of 32 bytes)`, addr);
  const ptrSize = d[14]!;
  const flags = d[15]!;
  let goVersion: string;
  let mod: string;
  if (flags & flagsVersionInl) {
    let off = buildInfoHeaderSize;
    [goVersion, off] = inlineString(d, off, addr, 'Go version');
    [mod] = inlineString(d, off, addr, 'module info');
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw new FormatError(WHAT, `bad pointer size ${ptrSize}`, addr + 14);
    const big = (flags & flagsEndianBig) !== 0;
    const p0 = readWord(d, 16, ptrSize, big);
    const p1 = readWord(d, 16 + ptrSize, ptrSize, big);
    goVersion = readGoString(exe, p0, ptrSize, big, 'runtime.buildVersion');
    mod = readGoString(exe, p1, ptrSize, big, 'runtime.modinfo');
  }
  if (goVersion === '') throw new FormatError(WHAT, 'empty Go version (not a Go executable?)', addr);
  // Strip cmd/go's sentinels (modload.infoStart/infoEnd), exactly as debug/buildinfo does.
  mod = mod.length >= 33 && mod[mod.length - 17] === '\n' ? mod.slice(16, mod.length - 16) : '';
  const parsed = parseModInfo(mod);
  return { goVersion, ...parsed, modinfo: mod, headerAddr: addr, foundIn };
}

function inlineString(d: Uint8Array, off: number, addr: number, what: string): [string, number] {
  const [n, w] = uvarint(d, off);
  if (w === 0) throw new FormatError(WHAT, `${what} length truncated`, addr + off);
  if (n > maxStringLen || off + w + n > d.length) throw new FormatError(WHAT, `${what} length ${n} runs past the data`, addr + off);
  return [latin1OrUtf8(d.subarray(off + w, off + w + n)), off + w + n];
}

function readWord(d: Uint8Array, off: number, size: number, big: boolean): number {
  if (!big) return size === 8 ? u64(d, off) : u32(d, off);
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + d[off + i]!;
  return v > Number.MAX_SAFE_INTEGER ? Number.NaN : v;
}

function readGoString(exe: BuildInfoSource, addr: number, ptrSize: number, big: boolean, what: string): string {
  if (!Number.isFinite(addr)) throw new FormatError(WHAT, `${what} pointer is not an address`);
  const hdr = exe.readVirtual(addr, 2 * ptrSize);
  if (hdr === undefined || hdr.length < 2 * ptrSize) throw new FormatError(WHAT, `${what} string header at 0x${addr.toString(16)} is not in the file`);
  const p = readWord(hdr, 0, ptrSize, big);
  const n = readWord(hdr, ptrSize, ptrSize, big);
  if (n === 0) return '';
  if (!Number.isFinite(p) || !Number.isFinite(n) || n > maxStringLen) throw new FormatError(WHAT, `${what} string header {0x${p.toString(16)}, ${n}} is implausible`);
  const b = exe.readVirtual(p, n);
  if (b === undefined || b.length < n) throw new FormatError(WHAT, `${what} bytes at 0x${p.toString(16)} (+${n}) are not in the file`);
  return latin1OrUtf8(b.subarray(0, n));
}

const utf8 = new TextDecoder('utf-8');
function latin1OrUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}

/**
 * Parses module-info text (sentinels already stripped) like runtime/debug.ParseBuildInfo, but
 * leniently: unknown or malformed lines are skipped instead of failing the whole read.
 */
export function parseModInfo(text: string): Pick<BuildInfo, 'path' | 'main' | 'deps' | 'settings'> {
  let path = '';
  let main: Module | undefined;
  const deps: Module[] = [];
  const settings: [string, string][] = [];
  let last: 'main' | 'dep' | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const word = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    const f = rest.split('\t');
    switch (word) {
      case 'path':
        path = rest;
        last = undefined;
        break;
      case 'mod':
      case 'dep': {
        if (f.length < 2 || f.length > 3) continue;
        const m: Module = { path: f[0]!, version: f[1]!, sum: f[2] ?? '' };
        if (word === 'mod') {
          main = m;
          last = 'main';
        } else {
          deps.push(m);
          last = 'dep';
        }
        break;
      }
      case '=>': {
        if (f.length !== 3 || last === undefined) continue;
        const rep: Module = { path: f[0]!, version: f[1]!, sum: f[2]! };
        if (last === 'main' && main !== undefined) main = { ...main, sum: '', replace: rep };
        else if (last === 'dep') deps[deps.length - 1] = { ...deps[deps.length - 1]!, sum: '', replace: rep };
        last = undefined;
        break;
      }
      case 'build': {
        const kv = parseSetting(rest);
        if (kv !== undefined) settings.push(kv);
        break;
      }
      default:
        break;
    }
  }
  return { path, main, deps, settings };
}

function parseSetting(s: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (s.startsWith('"')) {
    const q = quotedPrefix(s);
    if (q === undefined) return undefined;
    key = q.value;
    rest = s.slice(q.length);
    if (!rest.startsWith('=')) return undefined;
    rest = rest.slice(1);
  } else {
    const eq = s.indexOf('=');
    if (eq < 0) return undefined;
    key = s.slice(0, eq);
    rest = s.slice(eq + 1);
  }
  if (rest.startsWith('"')) {
    const q = quotedPrefix(rest);
    if (q === undefined || q.length !== rest.length) return undefined;
    return [key, q.value];
  }
  return [key, rest];
}

/** A Go double-quoted string literal at the start of `s` (strconv.QuotedPrefix + Unquote). */
function quotedPrefix(s: string): { value: string; length: number } | undefined {
  let out = '';
  let i = 1;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"') return { value: out, length: i + 1 };
    if (ch === '\n') return undefined;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case 'x':
      case 'u':
      case 'U': {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(i, i + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (e === undefined || e < '0' || e > '7') return undefined;
        const oct = s.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(oct)) return undefined;
        out += String.fromCharCode(parseInt(oct, 8));
        i += 2;
      }
    }
  }
  return undefined;
}

/** Go's strconv.Quote for the characters module info can contain. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0x80 && cp < 0xa0) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * The text `go version -m <file>` prints for this build info (runtime/debug.BuildInfo.String with
 * the "go" line dropped, each line tab-indented under "<file>: <goVersion>"), ending with "\n".
 */
export function formatGoVersionM(file: string, bi: Pick<BuildInfo, 'goVersion' | 'path' | 'main' | 'deps' | 'settings'>): string {
  const lines: string[] = [];
  if (bi.path !== '') lines.push(`path\t${bi.path}`);
  const mod = (word: string, m: Module): void => {
    if (m.replace === undefined) {
      lines.push(`${word}\t${m.path}\t${m.version}\t${m.sum}`);
    } else {
      lines.push(`${word}\t${m.path}\t${m.version}`);
      mod('=>', m.replace);
    }
  };
  if (bi.main !== undefined && (bi.main.path !== '' || bi.main.version !== '' || bi.main.sum !== '' || bi.main.replace !== undefined)) mod('mod', bi.main);
  for (const d of bi.deps) mod('dep', d);
  for (const [k, v] of bi.settings) {
    const key = k === '' || /[= \t\r\n"`]/.test(k) ? goQuote(k) : k;
    const value = /[ \t\r\n"`]/.test(v) ? goQuote(v) : v;
    lines.push(`build\t${key}=${value}`);
  }
  let out = `${file}: ${bi.goVersion}\n`;
  for (const l of lines) out += `\t${l}\n`;
  return out;
}

/** Where runtime.buildVersion was found and what it says. */
export interface BuildVersion {
  readonly goVersion: string;
  /** Link-time address of the {ptr, len} string header (runtime.buildVersion). */
  readonly headerAddr: number;
  /** Link-time address of the version bytes. */
  readonly stringAddr: number;
}

/** The grammar of runtime.buildVersion (runtime/extern.go buildVersion, set by cmd/link). */
const VERSION_RE = /^(?:devel )?go1\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?(?:-[0-9a-f]+)?(?: X:\S+)?(?: .*)?$/;
const VERSION_SCAN = /go1\.\d+/g;
const MAX_VERSION_LEN = 128;

/**
 * Fallback for binaries without buildinfo: runtime.buildVersion, a Go string header {ptr, len} in
 * writable data pointing at a version string in read-only data. With `symbolAddr` (the
 * runtime.buildVersion symbol from .symtab) it is read directly; otherwise version strings are
 * found in `.rodata` (or the read-only segments) and the writable segments are searched, at
 * pointer alignment, for a header pointing at one of them. Returns undefined when nothing matches.
 */
export function findBuildVersionString(exe: BuildInfoSource, symbolAddr?: number): BuildVersion | undefined {
  const ps = exe.ptrSize;
  if (symbolAddr !== undefined) {
    const hdr = exe.readVirtual(symbolAddr, 2 * ps);
    if (hdr === undefined || hdr.length < 2 * ps) return undefined;
    const p = readWord(hdr, 0, ps, false);
    const n = readWord(hdr, ps, ps, false);
    if (!(n > 0 && n <= MAX_VERSION_LEN) || !Number.isFinite(p)) return undefined;
    const b = exe.readVirtual(p, n);
    if (b === undefined || b.length < n) return undefined;
    const v = latin1(b.subarray(0, n));
    return VERSION_RE.test(v) ? { goVersion: v, headerAddr: symbolAddr, stringAddr: p } : undefined;
  }
  // Candidate string starts: every "go1.N" in read-only data (and the preceding "devel ").
  const ro = exe.section('.rodata');
  const regions = ro !== undefined ? [{ vaddr: ro.addr, data: ro.data }] : (exe.readonlySegments?.() ?? []);
  const starts = new Map<number, Uint8Array>(); // address → bytes from there to the region end
  for (const r of regions) {
    const text = latin1(r.data);
    for (const m of text.matchAll(VERSION_SCAN)) {
      const i = m.index;
      starts.set(r.vaddr + i, r.data.subarray(i));
      if (i >= 6 && text.slice(i - 6, i) === 'devel ') starts.set(r.vaddr + i - 6, r.data.subarray(i - 6));
    }
  }
  if (starts.size === 0) return undefined;
  for (const seg of exe.writableSegments()) {
    const d = seg.data;
    const first = (ps - (seg.vaddr % ps)) % ps;
    for (let off = first; off + 2 * ps <= d.length; off += ps) {
      const p = readWord(d, off, ps, false);
      const bytes = starts.get(p);
      if (bytes === undefined) continue;
      const n = readWord(d, off + ps, ps, false);
      if (!(n >= 4 && n <= MAX_VERSION_LEN && n <= bytes.length)) continue;
      const v = latin1(bytes.subarray(0, n));
      if (VERSION_RE.test(v)) return { goVersion: v, headerAddr: seg.vaddr + off, stringAddr: p };
    }
  }
  return undefined;
}

const latin1Decoder = new TextDecoder('latin1');
function latin1(b: Uint8Array): string {
  return latin1Decoder.decode(b);
}

/** `\xff Go build ID: "` */
const GO_BUILD_ID_PREFIX = new Uint8Array([0xff, ...new TextEncoder().encode(' Go build ID: "')]);

/**
 * The Go build id as the Go linker also writes it into text, `\xff Go build ID: "…"` (what
 * cmd/internal/buildid's ReadFile finds when there is no note), or undefined.
 */
export function findGoBuildIdString(data: Uint8Array): string | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const at = b.indexOf(GO_BUILD_ID_PREFIX);
  if (at < 0) return undefined;
  const start = at + GO_BUILD_ID_PREFIX.length;
  const end = b.indexOf(0x22, start);
  return end > 0 && end - start <= 400 ? latin1(data.subarray(start, end)) : undefined;
}
