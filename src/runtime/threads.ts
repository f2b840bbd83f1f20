/**
 * Ms and threads: walk `runtime.allm` (linked through m.alllink, `src/runtime/proc.go`) and match each
 * M to a thread by `m.procid` (the LWP id set in `minit`, `src/runtime/os_linux.go`). The g a thread is
 * executing comes from TLS (amd64: [fs_base−8] for internal linking, the PT_TLS slot of runtime.tlsg
 * otherwise) or the g register (arm64 x28), cross-checked against the M's g0/gsignal/curg.
 */
import type { Layout } from './layouts/layout.ts';
import type { Mem } from './mem.ts';
import type { Target, TargetThread } from './target.ts';

export interface MInfo {
  readonly addr: number;
  readonly id: number;
  readonly procid: number;
  readonly g0: number;
  readonly gsignal: number;
  readonly curg: number;
  readonly vdsoSP: number;
  readonly vdsoPC: number;
}

export interface ThreadBinding {
  readonly thread: TargetThread;
  readonly m: MInfo | undefined;
  /** The g whose stack the thread is on: a goroutine, or the M's g0/gsignal. */
  readonly currentG: number | undefined;
  readonly role: 'goroutine' | 'system-stack' | 'idle' | 'non-go' | 'unknown';
}

const MAX_MS = 100_000;

export function readMs(mem: Mem, allm: number, layout: Layout): MInfo[] {
  const ms: MInfo[] = [];
  const seen = new Set<number>();
  let mp = mem.ptr(allm, 'runtime.allm');
  const vdsoSP = layout.find('m.vdsoSP');
  const vdsoPC = layout.find('m.vdsoPC');
  while (mp !== 0 && !seen.has(mp) && ms.length < MAX_MS) {
    seen.add(mp);
    ms.push({
      addr: mp,
      id: mem.i64(mp + layout.off('m.id'), 'm.id'),
      procid: mem.u64(mp + layout.off('m.procid'), 'm.procid'),
      g0: mem.ptr(mp + layout.off('m.g0'), 'm.g0'),
      gsignal: mem.ptr(mp + layout.off('m.gsignal'), 'm.gsignal'),
      curg: mem.ptr(mp + layout.off('m.curg'), 'm.curg'),
      vdsoSP: vdsoSP === undefined ? 0 : (mem.tryPtr(mp + vdsoSP) ?? 0),
      vdsoPC: vdsoPC === undefined ? 0 : (mem.tryPtr(mp + vdsoPC) ?? 0),
    });
    mp = mem.ptr(mp + layout.off('m.alllink'), 'm.alllink');
  }
  return ms;
}

/** Offset from the thread pointer of the TLS slot holding g (amd64). */
export function amd64GSlot(target: Target, tlsgValue: number | undefined): number {
  const tls = target.exe.tls;
  if (tlsgValue === undefined || !tls) return -8;
  // delve's setGStructOffsetElf: the TLS block ends at the thread pointer, padded to its alignment.
  const align = Math.max(1, tls.align);
  const pad = (((-tls.vaddr - tls.memsz) % align) + align) % align;
  return tlsgValue - (tls.memsz + pad);
}

export function bindThreads(target: Target, mem: Mem, ms: readonly MInfo[], gSlot: number, isG: (g: number) => boolean): ThreadBinding[] {
  const byProcid = new Map<number, MInfo>();
  for (const m of ms) if (m.procid) byProcid.set(m.procid, m);
  return target.threads.map((thread) => {
    const m = byProcid.get(thread.tid);
    let currentG: number | undefined;
    if (target.arch.usesLR) currentG = thread.gReg || undefined;
    else if (thread.tlsBase) currentG = mem.tryPtr(thread.tlsBase + gSlot);
    const known = (g: number | undefined): boolean =>
      g !== undefined && g !== 0 && (isG(g) || (m !== undefined && (g === m.g0 || g === m.gsignal)));
    if (!known(currentG) && known(thread.gReg)) currentG = thread.gReg;
    if (!m) return { thread, m, currentG: known(currentG) ? currentG : undefined, role: known(currentG) ? 'unknown' : 'non-go' };
    let role: ThreadBinding['role'];
    if (currentG !== undefined && (currentG === m.g0 || currentG === m.gsignal)) role = m.curg ? 'system-stack' : 'idle';
    else if (m.curg && currentG === m.curg) role = 'goroutine';
    else role = m.curg ? 'goroutine' : 'idle';
    return { thread, m, currentG, role };
  });
}
