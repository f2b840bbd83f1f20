/**
 * Finding `runtime.firstmoduledata` and the pclntab in an executable without symbols
 * (runtime/symtab.go: moduledata, pcHeader; cmd/link/internal/ld/pcln.go). The pclntab is the section `.gopclntab` / `.data.rel.ro.gopclntab` when
 * section headers name it, else a `pcHeader` magic found in the segments; moduledata is the
 * writable word that points at it (`pcHeader`, 1.16+; `pclntable.ptr` ≤1.15), validated against the
 * fields the linker writes next to it (cmd/link/internal/ld/symtab.go `symtab`, the moduledata
 * writer; runtime/symtab.go `moduledata`, `moduledataverify1`). All addresses are link-time.
 */
import { u32, u64 } from '../../base/bytes.ts';
import { FormatError } from '../../base/errors.ts';
import { PclnTable } from '../../format/gosym/index.ts';
import { parseHeader } from '../../format/gosym/header.ts';
import { ERAS, MAGIC_MINORS } from '../../format/gosym/eras.ts';
import { moduledataLayout, type ModuledataLayout } from '../layouts/moduledata.ts';
import type { LinkTimeImage } from '../../memory/executable.ts';

const MAGICS = new Set(ERAS.map((e) => e.magic));
/** Bytes 1–5 of a pclntab header: the magic's 0xff 0xff 0xff, then the two zero pad bytes. */
const MAGIC_TAIL = new Uint8Array([0xff, 0xff, 0xff, 0, 0]);

/**
 * The moduledata row for a pclntab magic: the caller's Go minor when it has one, else the oldest
 * minor the magic stands for (format/gosym/eras.ts MAGIC_MINORS); the 1.20 magic's rows differ in
 * gofunc, which `validate` tells apart from memory.
 */
function rowForMagic(magic: number, goMinor: number | undefined): ModuledataLayout {
  const era = ERAS.find((e) => e.magic === magic)!;
  const [lo, hi] = MAGIC_MINORS[era.version];
  return moduledataLayout(goMinor !== undefined && goMinor >= lo && goMinor <= hi ? goMinor : lo);
}

export interface FileModule {
  /** Link-time address of runtime.firstmoduledata. */
  readonly addr: number;
  readonly magic: number;
  /** pcHeader (≤1.15: the pclntab blob) and the end of the pclntab. */
  readonly pclnAddr: number;
  readonly pclnEnd: number;
  readonly text: number;
  readonly etext: number;
  /** Smallest start and largest end of noptrdata, data, bss, noptrbss: every Go data symbol. */
  readonly dataStart: number;
  readonly dataEnd: number;
  /** [bss, ebss) and [noptrbss, enoptrbss). */
  readonly bss: readonly [number, number];
  readonly noptrbss: readonly [number, number];
  /** go:func.* (1.18+), the funcdata base. */
  readonly gofunc: number | undefined;
  /** The offsets it was read with. */
  readonly layout: ModuledataLayout;
}

/** Candidate pclntab addresses: named sections first, then magic hits in non-executable, then executable segments. */
export function pclntabCandidates(img: LinkTimeImage): number[] {
  const out: number[] = [];
  for (const [a] of pclntabAddrs(img)) if (!out.includes(a)) out.push(a);
  return out;
}

/** Candidates as [address, bytes from there to the end of its section or segment]; the sections are read first, the segments only if needed. */
function* pclntabAddrs(img: LinkTimeImage): Generator<[number, Uint8Array]> {
  for (const name of ['.gopclntab', '.data.rel.ro.gopclntab']) {
    const s = img.section(name);
    if (s && s.data.length >= 16 && MAGICS.has(u32(s.data, 0))) yield [s.addr, s.data];
  }
  for (const exec of [false, true]) {
    for (const seg of img.segments) {
      if (seg.executable !== exec) continue;
      const d = seg.data;
      const buf = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      const align = (8 - (seg.vaddr % 8)) % 8;
      // Every magic is 0xffff_fffX little-endian, followed by two zero pad bytes: jump between
      // those five bytes (native indexOf) instead of testing every word of a large non-Go binary.
      for (let at = buf.indexOf(MAGIC_TAIL, 1); at >= 0; at = buf.indexOf(MAGIC_TAIL, at + 1)) {
        const o = at - 1;
        if ((o - align) % 8 !== 0 || o + 16 > d.length) continue;
        if (d[o + 7] !== 8 || (d[o + 6] !== 1 && d[o + 6] !== 4)) continue;
        if (MAGICS.has(u32(d, o))) yield [seg.vaddr + o, d.subarray(o)];
      }
    }
  }
}

/**
 * Whether the executable is a Go program: it has a Go function table (a pclntab whose header
 * decodes), found as the analyzer finds it. Build info and the build-id note are optional (esbuild's
 * release binaries have neither); every Go program since 1.2 has a pclntab. The one Go test, used by
 * the analyzer (runtime-context.ts) and by capture before it stops anything.
 */
export function hasGoFunctionTable(img: LinkTimeImage): boolean {
  for (const [, header] of pclntabAddrs(img)) {
    try {
      parseHeader(header);
      return true;
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
    }
  }
  return false;
}

/** firstmoduledata, found by its pointer to the pclntab and validated; undefined when nothing qualifies. */
export function findModuledata(img: LinkTimeImage, goMinor?: number): FileModule | undefined {
  for (const v of pclntabCandidates(img)) {
    const head = img.read(v, 16);
    if (!head) continue;
    const magic = u32(head, 0);
    for (const seg of img.segments) {
      if (!seg.writable) continue;
      const d = seg.data;
      for (let o = (8 - (seg.vaddr % 8)) % 8; o + 8 <= d.length; o += 8) {
        if (u64(d, o) !== v) continue;
        const m = validate(img, seg.vaddr + o, v, magic, goMinor);
        if (m) return m;
      }
    }
  }
  return undefined;
}

function validate(img: LinkTimeImage, addr: number, v: number, magic: number, goMinor: number | undefined): FileModule | undefined {
  let e = rowForMagic(magic, goMinor);
  const md = img.read(addr, Math.max(e.end, e.etypes) + 8);
  if (!md) return undefined;
  const w = (off: number): number => u64(md, off);
  const header = fromAddr(img, v);
  if (!header) return undefined;
  let h;
  try {
    h = parseHeader(header);
  } catch {
    return undefined;
  }
  const pclntable = w(e.pclntable);
  const pclnLen = w(e.pclntable + 8);
  if (!(pclnLen > 0 && pclnLen === w(e.pclntable + 16) && pclnLen < 1 << 30)) return undefined;
  let pclnEnd: number;
  if (e.pcHeader === undefined) {
    if (pclntable !== v || w(e.ftab) !== v + h.functab) return undefined;
    pclnEnd = v + pclnLen;
  } else {
    // pcHeader, then funcnametab = pcHeader + funcnameOffset, pclntable = pcHeader + pclnOffset = ftab.
    if (w(e.funcnametab!) !== v + h.funcnametab || pclntable !== v + h.pcln || w(e.ftab) !== pclntable) return undefined;
    pclnEnd = pclntable + pclnLen;
  }
  if (w(e.ftab + 8) !== h.nfunc + 1) return undefined;
  const minpc = w(e.minpc);
  const maxpc = w(e.minpc + 8);
  const text = w(e.text);
  const etext = w(e.text + 8);
  if (!(text > 0 && text < etext && minpc >= text && minpc < maxpc && maxpc <= etext)) return undefined;
  const ranges: number[] = [];
  for (let i = 0; i < 8; i++) ranges.push(w(e.noptrdata + 8 * i)); // noptrdata … enoptrbss
  // Each [start, end) pair must be ordered; their relative order differs with external linking.
  for (let i = 0; i < ranges.length; i += 2) if (!(ranges[i]! > 0 && ranges[i + 1]! >= ranges[i]!)) return undefined;
  if (goMinor === undefined && e.since === 20) {
    // The word after `types` is etypes (≥ types) in 1.20–1.26 but typedesclen (a length, far below
    // any address of type data) from 1.27, whose later fields moved (gofunc among them). Comparing
    // with text instead fails on arm64, whose text starts at 0x11000.
    if (w(e.etypes) < w(e.types)) e = moduledataLayout(27);
  }
  let gofunc: number | undefined;
  if (e.gofunc !== undefined) {
    const g = img.read(addr + e.gofunc, 8);
    gofunc = g ? u64(g, 0) : undefined;
    if (!(gofunc !== undefined && gofunc > 0)) return undefined;
  }
  return {
    addr, magic, pclnAddr: v, pclnEnd, text, etext,
    dataStart: Math.min(ranges[0]!, ranges[2]!, ranges[4]!, ranges[6]!),
    dataEnd: Math.max(ranges[1]!, ranges[3]!, ranges[5]!, ranges[7]!),
    bss: [ranges[4]!, ranges[5]!], noptrbss: [ranges[6]!, ranges[7]!],
    gofunc,
    layout: e,
  };
}

/** File bytes from v to the end of its segment (room for parseHeader's bounds checks). */
function fromAddr(img: LinkTimeImage, v: number): Uint8Array | undefined {
  for (const s of img.segments) {
    const rel = v - s.vaddr;
    if (rel >= 0 && rel < s.data.length) return s.data.subarray(rel);
  }
  return undefined;
}

/**
 * The module's function table read from the executable file, all PCs link-time (textStart =
 * moduledata.text as linked; ≤1.17 functab entries are the link-time values the linker also writes
 * in place for PIE, §4.5). Throws GospyError (FormatError) on a table that does not decode.
 */
export function fileModuleTable(img: LinkTimeImage, m: FileModule, goMinor?: number): PclnTable {
  const data = img.read(m.pclnAddr, m.pclnEnd - m.pclnAddr);
  if (!data) throw new FormatError('pclntab', `the pclntab at 0x${m.pclnAddr.toString(16)} is not in the executable's file`, m.pclnAddr);
  return PclnTable.parse(data, {
    textStart: m.text,
    linkBias: 0,
    ...(m.gofunc !== undefined ? { gofunc: m.gofunc } : {}),
    ...(goMinor !== undefined ? { goMinor } : {}),
    readMemory: (a, n) => img.read(a, n),
  });
}
