/**
 * The one view of a program's executable file that cores, snapshots, live captures and the runtime
 * layer share: its ELF (format/elf), symbols and sections, its build ids, the source the buildinfo
 * decoder reads (format/buildinfo), its PT_LOAD segments at link-time addresses (file bytes, so PIE
 * pointers hold their link-time values — what symbol recovery scans), the load bias from AT_ENTRY,
 * and the memory layers it contributes to a process address space: its PT_LOADs at vaddr + bias
 * (file bytes, then zero-fill up to memsz) and the file's bytes at each of its mappings. Those
 * layers lie under the captured memory, so pages a dump left out (text, rodata, pclntab) are read
 * from the file. Nothing here interprets Go's runtime; the buildinfo and build-id decoders are
 * format/'s.
 */
import type { ByteSource } from '../base/bytes.ts';
import { FormatError } from '../base/errors.ts';
import type { WarningSink } from '../base/warnings.ts';
import { findBuildInfo, findBuildVersionString, findGoBuildIdString, type BuildInfo, type BuildInfoSource } from '../format/buildinfo/buildinfo.ts';
import { EM_AARCH64, EM_X86_64, ET_DYN, ET_EXEC, PF_W, PF_X, PT_LOAD, PT_TLS, SHT_NOBITS } from '../format/elf/constants.ts';
import { ElfFile } from '../format/elf/file.ts';
import { fileRegion, type Region } from './image.ts';

/** A PT_LOAD at its link-time address. */
export interface ExeSegment {
  readonly vaddr: number;
  readonly writable: boolean;
  readonly executable: boolean;
  /** File-backed bytes (filesz; a .bss tail is not included). */
  readonly data: Uint8Array;
}

/**
 * The executable as the linker laid it out, at link-time addresses: what scans of a stripped
 * binary read (runtime/symbols/). `Executable` is one; tests build small ones with `segmentImage`.
 */
export interface LinkTimeImage {
  /** undefined for a machine gospy does not read. */
  readonly arch: 'amd64' | 'arm64' | undefined;
  readonly segments: readonly ExeSegment[];
  /** A section's link-time address and file bytes, when section headers exist. */
  section(name: string): { addr: number; data: Uint8Array } | undefined;
  /** `len` file-backed bytes at link-time address `addr`, or undefined. */
  read(addr: number, len: number): Uint8Array | undefined;
}

export interface ExeSymbol {
  /** Link-time address; add the target's loadBias for the runtime address. */
  readonly value: number;
  readonly size: number;
}

const hx = (n: number): string => `0x${n.toString(16)}`;

export class Executable implements LinkTimeImage, BuildInfoSource {
  readonly path: string;
  readonly elf: ElfFile;
  readonly ptrSize = 8;
  private segs: ExeSegment[] | undefined;
  private readonly sectionCache = new Map<string, Uint8Array | undefined>();
  private info: { bi: BuildInfo | undefined; goVersion: string | undefined } | undefined;

  /** Read as `strip -s` would leave it: no .symtab, no DWARF (tests and diagnosis). */
  private readonly stripped: boolean;

  constructor(elf: ElfFile, path: string, opts: { readonly stripped?: boolean } = {}) {
    this.elf = elf;
    this.path = path;
    this.stripped = opts.stripped === true;
  }

  /** The same file read as if it had no symbol table and no DWARF. */
  asStripped(): Executable {
    return new Executable(this.elf, this.path, { stripped: true });
  }

  /** Parse the executable's ELF headers from `src` (throws FormatError for a file that is not ELF). */
  static open(src: ByteSource, path: string): Executable {
    return new Executable(ElfFile.parse(src), path);
  }

  get source(): ByteSource {
    return this.elf.src;
  }

  /** An executable (ET_EXEC) or position-independent executable (ET_DYN), not a core or object. */
  get isProgram(): boolean {
    return this.elf.header.type === ET_EXEC || this.elf.header.type === ET_DYN;
  }

  get arch(): 'amd64' | 'arm64' | undefined {
    const m = this.elf.header.machine;
    return m === EM_X86_64 ? 'amd64' : m === EM_AARCH64 ? 'arm64' : undefined;
  }

  // ---- symbols and sections ----

  symbol(name: string): ExeSymbol | undefined {
    if (this.stripped) return undefined;
    const s = this.elf.symbols().get(name);
    return s ? { value: s.value, size: s.size } : undefined;
  }

  get hasSymbols(): boolean {
    return !this.stripped && this.elf.symbols().size > 0;
  }

  /** Decompressed bytes of a section (a `.debug_*` name also finds its `.zdebug_*` form), undefined when absent. */
  sectionBytes(name: string): Uint8Array | undefined {
    if (this.stripped) return undefined;
    if (!this.sectionCache.has(name)) {
      const sh = this.elf.section(name) ?? (name.startsWith('.debug_') ? this.elf.section(`.zdebug_${name.slice(7)}`) : undefined);
      this.sectionCache.set(name, sh ? this.elf.sectionData(sh) : undefined);
    }
    return this.sectionCache.get(name);
  }

  /** A section's link-time address and file bytes; undefined when absent, NOBITS, past EOF or the headers are unreadable. */
  section(name: string): { addr: number; data: Uint8Array } | undefined {
    let sh;
    try {
      sh = this.elf.section(name);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      return undefined; // unreadable section headers: behave as stripped
    }
    if (!sh || sh.type === SHT_NOBITS || sh.offset + sh.size > this.elf.src.size) return undefined;
    return { addr: sh.addr, data: this.elf.src.read(sh.offset, sh.size) };
  }

  /** The PT_TLS segment, for finding g through TLS in externally linked binaries. */
  get tls(): { readonly vaddr: number; readonly memsz: number; readonly align: number } | undefined {
    const p = this.elf.progs.find((x) => x.type === PT_TLS);
    return p ? { vaddr: p.vaddr, memsz: p.memsz, align: p.align } : undefined;
  }

  // ---- segments at link-time addresses ----

  /** The file-backed PT_LOADs (read on first use). */
  get segments(): readonly ExeSegment[] {
    if (this.segs) return this.segs;
    const out: ExeSegment[] = [];
    for (const p of this.elf.progs) {
      if (p.type !== PT_LOAD || p.filesz === 0 || p.offset + p.filesz > this.elf.src.size) continue;
      out.push({ vaddr: p.vaddr, writable: (p.flags & PF_W) !== 0, executable: (p.flags & PF_X) !== 0, data: this.elf.src.read(p.offset, p.filesz) });
    }
    return (this.segs = out);
  }

  read(addr: number, len: number): Uint8Array | undefined {
    return readSegments(this.segments, addr, len);
  }

  writableSegments(): { vaddr: number; data: Uint8Array }[] {
    return this.segments.filter((s) => s.writable);
  }

  readonlySegments(): { vaddr: number; data: Uint8Array }[] {
    return this.segments.filter((s) => !s.writable);
  }

  readVirtual(addr: number, len: number): Uint8Array | undefined {
    return this.elf.readVirtual(addr, len);
  }

  /** [start, end) of every writable PT_LOAD (memsz, so .bss included) at runtime addresses. */
  writableRanges(loadBias: number): [number, number][] {
    return this.elf.progs
      .filter((p) => p.type === PT_LOAD && (p.flags & PF_W) !== 0 && Number.isFinite(p.vaddr) && Number.isFinite(p.memsz))
      .map((p) => [p.vaddr + loadBias, p.vaddr + loadBias + p.memsz]);
  }

  // ---- build facts ----

  /** The decoded buildinfo (undefined when the binary has none). */
  get buildInfo(): BuildInfo | undefined {
    return this.facts().bi;
  }

  /** The Go version the file states: buildinfo, else the runtime.buildVersion string. */
  get goVersion(): string | undefined {
    return this.facts().goVersion;
  }

  private facts(): { bi: BuildInfo | undefined; goVersion: string | undefined } {
    if (!this.info) {
      const bi = findBuildInfo(this);
      const goVersion = bi?.goVersion ?? findBuildVersionString(this, this.symbol('runtime.buildVersion')?.value)?.goVersion;
      this.info = { bi, goVersion };
    }
    return this.info;
  }

  gnuBuildId(): string | undefined {
    return this.elf.gnuBuildId();
  }

  /** The Go build id from the "Go" note. */
  goBuildId(): string | undefined {
    return this.elf.goBuildId();
  }

  /**
   * The build id a capture records: the Go note, else the `\xff Go build ID: "…"` string the Go
   * linker also writes into text, else the GNU build id in hex.
   */
  buildId(): string | undefined {
    const go = this.goBuildId();
    if (go !== undefined) return go;
    for (const s of this.segments) {
      if (s.writable) continue;
      const id = findGoBuildIdString(s.data);
      if (id !== undefined) return id;
    }
    return this.gnuBuildId();
  }

  // ---- place in a process ----

  /**
   * Runtime address − link-time address: AT_ENTRY − e_entry. Non-PIE executables always get 0 (with
   * a warning when AT_ENTRY disagrees); a PIE without AT_ENTRY gets 0 with a warning.
   */
  loadBias(atEntry: number | undefined, warnings: WarningSink, source = 'the core'): number {
    const h = this.elf.header;
    if (atEntry !== undefined && Number.isFinite(atEntry) && Number.isFinite(h.entry)) {
      const bias = atEntry - h.entry;
      if (h.type === ET_EXEC && bias !== 0) {
        warnings.add('exe-entry-differs', `AT_ENTRY ${hx(atEntry)} is not the entry ${hx(h.entry)} of non-PIE ${this.path}`);
        return 0;
      }
      return bias;
    }
    if (h.type === ET_DYN) {
      warnings.add('no-auxv', `${source} has no AT_ENTRY (${source === 'the core' ? 'NT_AUXV' : 'auxv'}); assuming the PIE executable was loaded at 0`);
    }
    return 0;
  }

  /** The PT_LOADs at vaddr + loadBias: file bytes, then zero-fill up to memsz. */
  loadLayer(loadBias: number): Region[] {
    const layer: Region[] = [];
    for (const p of this.elf.progs) {
      if (p.type !== PT_LOAD || !Number.isFinite(p.vaddr) || !Number.isFinite(p.memsz)) continue;
      const start = p.vaddr + loadBias;
      const fr = fileRegion(this.elf.src, start, start + Math.min(p.filesz, p.memsz), p.offset, 'exe', `exe PT_LOAD #${p.index}`);
      if (fr) layer.push(fr);
      const fileEnd = fr ? fr.end : start;
      if (start + p.memsz > fileEnd) {
        layer.push({ start: fileEnd, end: start + p.memsz, origin: 'zero', label: `exe PT_LOAD #${p.index} zero-fill` });
      }
    }
    return layer;
  }

  /** The file's bytes at each of its mappings ({start, end, file offset in bytes}). */
  fileLayer(mappings: readonly { readonly start: number; readonly end: number; readonly fileOffset: number }[]): Region[] {
    const layer: Region[] = [];
    for (const f of mappings) {
      if (!Number.isFinite(f.start) || !Number.isFinite(f.end) || !Number.isFinite(f.fileOffset)) continue;
      const r = fileRegion(this.elf.src, f.start, f.end, f.fileOffset, 'exe-file', `exe file mapping ${hx(f.start)}`);
      if (r) layer.push(r);
    }
    return layer;
  }
}

/** A link-time image over given segments: synthetic executables in tests. */
export function segmentImage(
  arch: 'amd64' | 'arm64',
  segments: readonly ExeSegment[],
  section: (name: string) => { addr: number; data: Uint8Array } | undefined = () => undefined,
): LinkTimeImage {
  return { arch, segments, section, read: (addr, len) => readSegments(segments, addr, len) };
}

function readSegments(segments: readonly ExeSegment[], addr: number, len: number): Uint8Array | undefined {
  if (!(len >= 0)) return undefined;
  for (const s of segments) {
    const rel = addr - s.vaddr;
    if (rel >= 0 && rel + len <= s.data.length) return s.data.subarray(rel, rel + len);
  }
  return undefined;
}
