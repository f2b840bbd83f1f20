/**
 * `--mode goroutines`: decide, while the target is frozen, which byte ranges the goroutine reports
 * need, so only those are copied. This is the one part of capture/ that knows Go: it builds a Target
 * whose memory is live reads (process_vm_readv) of the stopped process and walks it with the same
 * runtime code the analyzer uses (globals, layouts, `readAllGs`, `GReader`, `readMs`, labels), recording
 * every range it reads. To those it adds the stacks (every live goroutine's stack from just below its
 * lowest saved sp up to stack.hi — whole when it is running —, each M's g0 and gsignal stack (the top 64 KiB),
 * each thread's stack around sp) and the executable's writable
 * segments (runtime globals; moduledata and, for PIE ≤ go1.25, the pclntab in RELRO). What lies in
 * the executable's read-only mappings is not copied: the snapshot's copy of the executable supplies it.
 *
 * Everything that does not change while the process runs (ELF, DWARF, layout, global addresses) is
 * resolved in `prepare`, outside the pause.
 */
import { UnmappedAddressError, UnsupportedError } from '../src/base/errors.ts';
import { BufferSource } from '../src/base/bytes.ts';
import { WarningSink } from '../src/base/warnings.ts';
import { AT_ENTRY, PF_W, PT_LOAD } from '../src/format/elf/constants.ts';
import { parseAuxv, parseRegset } from '../src/format/elf/core-notes.ts';
import { ElfFile } from '../src/format/elf/file.ts';
import type { SnapshotMapping } from '../src/format/snapshot/schema.ts';
import { loadBiasOf } from '../src/memory/exe-layers.ts';
import { AMD64, ARM64 } from '../src/runtime/arch.ts';
import { loadDwarf, resolveGoVersion, resolveLayout } from '../src/runtime/binary-facts.ts';
import { executableTarget } from '../src/runtime/core-target.ts';
import { Globals } from '../src/runtime/globals.ts';
import { GReader, readAllGs } from '../src/runtime/goroutines.ts';
import { readLabels } from '../src/runtime/labels.ts';
import { G_RUNNING, isDeadStatus } from '../src/runtime/layouts/gstatus.ts';
import type { Layout } from '../src/runtime/layouts/layout.ts';
import { Mem } from '../src/runtime/mem.ts';
import { addRecoveredGlobals } from '../src/runtime/symbols/recover.ts';
import { recoverGSlot } from '../src/runtime/symbols/tls-slot.ts';
import type { Target, TargetMemory, TargetThread } from '../src/runtime/target.ts';
import { amd64GSlot, readMs } from '../src/runtime/threads.ts';
import { parseGoVersion } from '../src/runtime/version.ts';
import type { PageRun } from './pagemap.ts';
import { loadSys, type Sys } from './ptrace.ts';

/** Bytes of each thread's stack copied on either side of its sp. */
const THREAD_STACK_AROUND_SP = 64 << 10;
/** At most this much of the top of each g0/gsignal stack is copied. */
const SYSTEM_STACK_TOP = 64 << 10;
/** Bytes kept below a parked goroutine's lowest saved sp (slack; nothing there is read). */
const BELOW_SP = 1024;
const IOV_MAX = 1024;
/**
 * Runs are whole pages, and ranges less than a page apart are merged: far fewer iovecs for
 * process_vm_readv (10k goroutines would otherwise be 20k small runs, and the per-iovec cost
 * dominates the pause) for a little more memory.
 */
const PAGE = 4096;

/** Live reads of a process through process_vm_readv, recording every range that was read. */
export class LiveMemory implements TargetMemory {
  private readonly sys: Sys;
  private readonly pid: number;
  private readonly iov = Buffer.alloc(IOV_MAX * 16);
  private readonly riov = Buffer.alloc(IOV_MAX * 16);
  private cache = new Map<number, Uint8Array>();
  /** [start, end) of every successful read since the last reset. */
  recorded: [number, number][] = [];

  constructor(pid: number) {
    this.sys = loadSys();
    this.pid = pid;
  }

  reset(): void {
    this.recorded = [];
    this.cache = new Map();
  }

  read(addr: number, len: number, purpose?: string): Uint8Array {
    const b = this.tryRead(addr, len);
    if (!b) throw new UnmappedAddressError(addr, len, purpose ?? 'memory');
    return b;
  }

  tryRead(addr: number, len: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr <= 0 || len < 0 || len > 1 << 30) return undefined;
    if (len === 0) return new Uint8Array(0);
    const hit = this.cache.get(addr);
    if (hit && hit.length >= len) {
      this.recorded.push([addr, addr + len]);
      return hit.subarray(0, len);
    }
    const d = Buffer.allocUnsafe(len);
    const sys = this.sys;
    this.iov.writeBigUInt64LE(sys.address(d), 0);
    this.iov.writeBigUInt64LE(BigInt(len), 8);
    this.riov.writeBigUInt64LE(BigInt(addr), 0);
    this.riov.writeBigUInt64LE(BigInt(len), 8);
    if (sys.processVmReadv(this.pid, this.iov, 1, this.riov, 1) !== len) return undefined;
    this.recorded.push([addr, addr + len]);
    return d;
  }

  /** Read many small ranges in batches (IOV_MAX per call) so later reads of them are cache hits. */
  prefetch(addrs: readonly number[], len: number): void {
    const sys = this.sys;
    const l32 = new Uint32Array(this.iov.buffer, this.iov.byteOffset, IOV_MAX * 4);
    const r32 = new Uint32Array(this.riov.buffer, this.riov.byteOffset, IOV_MAX * 4);
    const put = (a: Uint32Array, i: number, v: number): void => {
      a[i] = v % 0x1_0000_0000;
      a[i + 1] = Math.floor(v / 0x1_0000_0000);
    };
    for (let i = 0; i < addrs.length; i += IOV_MAX) {
      const n = Math.min(IOV_MAX, addrs.length - i);
      const pool = Buffer.allocUnsafeSlow(n * len);
      const base = Number(sys.address(pool));
      for (let k = 0; k < n; k++) {
        put(l32, k * 4, base + k * len);
        put(l32, k * 4 + 2, len);
        put(r32, k * 4, addrs[i + k]!);
        put(r32, k * 4 + 2, len);
      }
      const got = sys.processVmReadv(this.pid, this.iov, n, this.riov, n);
      // The transfer stops at the first unreadable range: keep those that arrived whole.
      const whole = got > 0 ? Math.floor(got / len) : 0;
      for (let k = 0; k < whole; k++) this.cache.set(addrs[i + k]!, pool.subarray(k * len, (k + 1) * len));
    }
  }
}

/** A plan's estimate, for sizing the copy pool before the freeze. */
export interface GoroutinePlan {
  readonly runs: PageRun[];
  readonly bytes: number;
}

export class GoroutinePlanner {
  private readonly mem: LiveMemory;
  private readonly target: Target;
  private readonly layout: Layout;
  private readonly minor: number;
  private readonly allgs: number;
  private readonly allglen: number | undefined;
  private readonly allm: number;
  private readonly tlsg: number | undefined;
  private readonly writable: [number, number][];
  /** AT_ENTRY: the mapping holding it names the executable's mappings. */
  private readonly entry: number | undefined;
  private readonly arch: 'amd64' | 'arm64';

  /** Everything static (ELF, DWARF, layout, global addresses); call outside the pause. */
  constructor(pid: number, exeBytes: Uint8Array, exePath: string, auxv: Uint8Array, arch: 'amd64' | 'arm64') {
    this.arch = arch;
    const warnings = new WarningSink();
    const elf = ElfFile.parse(new BufferSource(exeBytes, exePath));
    const atEntry = parseAuxv(auxv).get(AT_ENTRY);
    const loadBias = loadBiasOf(elf, exePath, atEntry, warnings, 'the process');
    this.mem = new LiveMemory(pid);
    const { exe, goVersion, buildInfo } = executableTarget(elf, exePath);
    this.target = {
      kind: 'snapshot',
      path: `pid ${pid}`,
      pid,
      arch: arch === 'arm64' ? ARM64 : AMD64,
      memory: this.mem,
      threads: [],
      exe,
      exeFoundBy: 'snapshot',
      loadBias,
      monotonicNow: undefined,
      goVersion,
      buildInfo,
      warnings: [],
    };
    const mem = new Mem(this.mem);
    const dwarf = loadDwarf(this.target, warnings);
    const globals = new Globals(this.target, dwarf);
    const goVer = resolveGoVersion(this.target, mem, globals, dwarf);
    const v = parseGoVersion(goVer);
    if (!v || v.minor < 12) throw new UnsupportedError('go-version', `--mode goroutines cannot read Go version ${JSON.stringify(goVer)}`);
    this.minor = v.minor;
    this.layout = resolveLayout(dwarf, v.minor, warnings);
    addRecoveredGlobals(this.target, mem, globals, v.minor, this.layout, warnings);
    const need = (name: 'runtime.allgs' | 'runtime.allm'): number => {
      const g = globals.find(name);
      if (!g) {
        throw new UnsupportedError('symbols', `--mode goroutines cannot find ${name} in the executable`, {
          hint: 'use --mode full (the default), which copies all resident memory',
        });
      }
      return g.addr;
    };
    this.allgs = need('runtime.allgs');
    this.allm = need('runtime.allm');
    this.allglen = globals.find('runtime.allglen')?.addr;
    this.tlsg = exe.symbol(arch === 'amd64' ? 'runtime.tlsg' : 'runtime.tls_g')?.value;
    this.writable = elf.progs
      .filter((p) => p.type === PT_LOAD && (p.flags & PF_W) !== 0 && Number.isFinite(p.vaddr) && Number.isFinite(p.memsz))
      .map((p) => [p.vaddr + loadBias, p.vaddr + loadBias + p.memsz] as [number, number]);
    this.entry = atEntry;
  }

  /**
   * The ranges to copy, walking the process as it is now (call inside the freeze; outside it, it is
   * an estimate). `regs` are the raw regsets of the stopped threads (empty without a freeze).
   */
  plan(maps: readonly SnapshotMapping[], threads: readonly { readonly tid: number; readonly regs: Uint8Array }[]): GoroutinePlan {
    const live = this.mem;
    live.reset();
    const mem = new Mem(live);
    const extra: [number, number][] = [...this.writable];
    const stack = (lo: number, hi: number): void => {
      if (lo > 0 && hi > lo && Number.isSafeInteger(hi)) extra.push([lo, hi]);
    };

    const tthreads: TargetThread[] = [];
    for (const t of threads) {
      if (t.regs.length === 0) continue;
      let r;
      try {
        r = parseRegset(t.regs, this.arch, `thread ${t.tid} registers`);
      } catch {
        continue;
      }
      tthreads.push({ tid: t.tid, pc: r.pc, sp: r.sp, bp: r.bp, lr: r.lr ?? 0, gReg: r.gReg, tlsBase: r.fsBase, state: undefined });
      const m = maps.find((x) => r.sp >= x.start && r.sp < x.end);
      if (m) extra.push([Math.max(m.start, r.sp - THREAD_STACK_AROUND_SP), Math.min(m.end, r.sp + THREAD_STACK_AROUND_SP)]);
    }

    const gReader = new GReader(this.layout);
    const ms = readMs(mem, this.allm, this.layout);
    const vdsoSP = new Map(ms.filter((m) => m.vdsoSP !== 0).map((m) => [m.addr, m.vdsoSP] as const));
    const gAddrs = readAllGs(mem, this.allgs, this.allglen).filter((a) => a !== 0);
    live.prefetch(gAddrs, gReader.span);
    for (const addr of gAddrs) {
      let g;
      try {
        g = gReader.read(mem, addr);
      } catch {
        continue;
      }
      if (isDeadStatus(g.status)) continue;
      // Below the lowest saved sp a stack holds only dead frames, which no unwind reads. A running
      // goroutine's sp is in its thread's registers (its stack around sp is copied below): whole stack.
      let lo = g.stackLo;
      if (g.status !== G_RUNNING) {
        const sps = [g.schedSP, g.syscallSP, vdsoSP.get(g.m) ?? 0].filter((sp) => sp > g.stackLo && sp <= g.stackHi);
        if (sps.length > 0) lo = Math.max(g.stackLo, Math.min(...sps) - BELOW_SP);
      }
      stack(lo, g.stackHi);
      if (g.labels !== 0) readLabels(mem, g.labels, this.minor);
    }
    for (const m of ms) {
      for (const g of [m.g0, m.gsignal]) {
        if (g === 0) continue;
        try {
          const r = gReader.read(mem, g);
          // cgo threads' g0 bounds are the whole pthread stack (MiBs): its top only; where the
          // thread is now is copied around its sp.
          stack(Math.max(r.stackLo, r.stackHi - SYSTEM_STACK_TOP), r.stackHi);
        } catch {
          // an M being created: nothing to copy
        }
      }
    }
    // The TLS slot holding g (amd64), which the analyzer reads to bind threads to goroutines.
    if (this.arch === 'amd64' && tthreads.length > 0) {
      const target: Target = { ...this.target, threads: tthreads };
      const gSlot = (this.tlsg === undefined ? recoverGSlot(target, mem, ms) : undefined) ?? amd64GSlot(target, this.tlsg);
      for (const t of tthreads) if (t.tlsBase) live.tryRead(t.tlsBase + gSlot, 8);
    }

    const runs = clipToMaps([...live.recorded, ...extra], maps, this.entry);
    return { runs, bytes: runs.reduce((s, r) => s + r.len, 0) };
  }
}

/**
 * Sorted, merged runs of `ranges` inside readable mappings, leaving out the executable's read-only
 * mappings (the snapshot's executable supplies them) and the kernel's [vvar]/[vsyscall].
 */
export function clipToMaps(ranges: readonly (readonly [number, number])[], maps: readonly SnapshotMapping[], atEntry: number | undefined): PageRun[] {
  const entryMap = atEntry === undefined ? undefined : maps.find((m) => atEntry >= m.start && atEntry < m.end);
  const exePath = entryMap?.path;
  const usable = maps
    .filter((m) => m.perms[0] === 'r' && !m.path.startsWith('[vvar') && m.path !== '[vsyscall]')
    .filter((m) => !(exePath !== undefined && exePath !== '' && m.path === exePath && m.perms[1] !== 'w'))
    .sort((a, b) => a.start - b.start);
  const sorted = ranges
    .filter(([s, e]) => e > s)
    .map(([s, e]) => [s - (s % PAGE), e + ((PAGE - (e % PAGE)) % PAGE)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const out: PageRun[] = [];
  let mi = 0;
  for (const [s, e] of merged) {
    while (mi < usable.length && usable[mi]!.end <= s) mi++;
    for (let k = mi; k < usable.length && usable[k]!.start < e; k++) {
      const m = usable[k]!;
      const a = Math.max(s, m.start);
      const b = Math.min(e, m.end);
      if (b <= a) continue;
      const prev = out[out.length - 1];
      if (prev && prev.addr + prev.len === a) out[out.length - 1] = { addr: prev.addr, len: b - prev.addr };
      else out.push({ addr: a, len: b - a });
    }
  }
  return out;
}
