/**
 * Adapts an opened ELF core (memory/core-process.ts) to the runtime layer's Target, and reads the
 * executable's build info on the way.
 */
import { findBuildInfo, findBuildVersionString, type BuildInfoSource } from '../format/buildinfo/buildinfo.ts';
import { PT_TLS, PT_LOAD, PF_W } from '../format/elf/constants.ts';
import type { ElfFile } from '../format/elf/file.ts';
import type { CoreProcess } from '../memory/core-process.ts';
import { AMD64, ARM64 } from './arch.ts';
import { exeImage, type ExeImage } from './symbols/exe-image.ts';
import type { Target, TargetExecutable } from './target.ts';

export function exeFacts(exe: ElfFile, path: string): TargetExecutable {
  const syms = exe.symbols();
  const sectionCache = new Map<string, Uint8Array | undefined>();
  const tlsProg = exe.progs.find((p) => p.type === PT_TLS);
  let image: ExeImage | undefined;
  return {
    path,
    hasSymbols: syms.size > 0,
    symbol(name) {
      const s = syms.get(name);
      return s ? { value: s.value, size: s.size } : undefined;
    },
    sectionBytes(name) {
      if (!sectionCache.has(name)) {
        const sh = exe.section(name) ?? (name.startsWith('.debug_') ? exe.section(`.zdebug_${name.slice(7)}`) : undefined);
        sectionCache.set(name, sh ? exe.sectionData(sh) : undefined);
      }
      return sectionCache.get(name);
    },
    tls: tlsProg ? { vaddr: tlsProg.vaddr, memsz: tlsProg.memsz, align: tlsProg.align } : undefined,
    image: () => (image ??= exeImage(exe)),
  };
}

export function buildInfoSource(exe: ElfFile): BuildInfoSource {
  return {
    ptrSize: 8,
    section(name) {
      const sh = exe.section(name);
      return sh ? { addr: sh.addr, data: exe.sectionData(sh) } : undefined;
    },
    writableSegments() {
      return exe.progs
        .filter((p) => p.type === PT_LOAD && (p.flags & PF_W) !== 0 && p.filesz > 0)
        .map((p) => ({ vaddr: p.vaddr, data: exe.src.read(p.offset, p.filesz) }));
    },
    readonlySegments() {
      return exe.progs
        .filter((p) => p.type === PT_LOAD && (p.flags & PF_W) === 0 && p.filesz > 0)
        .map((p) => ({ vaddr: p.vaddr, data: exe.src.read(p.offset, p.filesz) }));
    },
    readVirtual(addr, len) {
      return exe.readVirtual(addr, len);
    },
  };
}

/** The Target fields that come from the executable file alone (shared by cores and snapshots). */
export function executableTarget(elf: ElfFile, path: string): Pick<Target, 'exe' | 'goVersion' | 'buildInfo'> {
  const exe = exeFacts(elf, path);
  const bis = buildInfoSource(elf);
  const bi = findBuildInfo(bis);
  const goVersion = bi?.goVersion ?? findBuildVersionString(bis, exe.symbol('runtime.buildVersion')?.value)?.goVersion;
  return { exe, goVersion, buildInfo: bi ? { path: bi.path, main: bi.main, settings: bi.settings } : undefined };
}

export function coreTarget(cp: CoreProcess, corePath: string, exeFoundBy: Target['exeFoundBy']): Target {
  const { exe, goVersion, buildInfo } = executableTarget(cp.exe, cp.exePath);
  return {
    kind: 'core',
    path: corePath,
    pid: cp.prpsinfo?.pid,
    arch: cp.machine === 'arm64' ? ARM64 : AMD64,
    memory: cp.image,
    threads: cp.threads.map((t) => ({
      tid: t.tid,
      pc: t.regs.pc,
      sp: t.regs.sp,
      bp: t.regs.bp,
      lr: t.regs.lr ?? 0,
      gReg: t.regs.gReg,
      tlsBase: t.regs.fsBase,
      state: undefined,
    })),
    exe,
    exeFoundBy,
    loadBias: cp.loadBias,
    monotonicNow: undefined,
    goVersion,
    buildInfo,
    warnings: cp.warnings,
  };
}
