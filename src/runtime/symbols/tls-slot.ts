/**
 * amd64 with external linking keeps g in the static TLS block at an offset the linker chose
 * (`runtime.tlsg`, runtime/go_tls.h and runtime/tls_arm64.s; cmd/link's R_TLS_IE/R_TLS_LE for `runtime·tls_g`). A stripped
 * executable no longer names it, so find it in the core instead: the 8-aligned slot inside the TLS
 * block (below fs_base) that, on every thread bound to an M, holds one of that M's g's (g0, gsignal
 * or curg — the runtime keeps the current g there, `get_tls`/`save_g` in `runtime/asm_amd64.s`,
 * `runtime/cgo/gcc_linux_amd64.c`). Ambiguity or no agreement → undefined.
 */
import type { MInfo } from '../threads.ts';
import type { Mem } from '../mem.ts';
import type { Target } from '../target.ts';

/** Offset from fs_base of the slot holding g, or undefined when the core does not decide it. */
export function recoverGSlot(target: Target, mem: Mem, ms: readonly MInfo[]): number | undefined {
  const tls = target.exe.tls;
  if (!tls || target.arch.usesLR) return undefined;
  const align = Math.max(1, tls.align);
  const block = Math.ceil(tls.memsz / align) * align;
  if (!(block > 0 && block <= 1 << 16)) return undefined;
  const byProcid = new Map(ms.filter((m) => m.procid).map((m) => [m.procid, m]));
  const bound = target.threads
    .map((t) => ({ t, m: byProcid.get(t.tid) }))
    .filter((x): x is { t: (typeof target.threads)[number]; m: MInfo } => x.m !== undefined && x.t.tlsBase !== undefined && x.t.tlsBase !== 0);
  if (bound.length === 0) return undefined;
  const found: number[] = [];
  for (let k = -8; k >= -block; k -= 8) {
    const ok = bound.every(({ t, m }) => {
      const v = mem.tryPtr(t.tlsBase! + k);
      return v !== undefined && v !== 0 && (v === m.g0 || v === m.gsignal || v === m.curg);
    });
    if (ok) found.push(k);
  }
  return found.length === 1 ? found[0] : undefined;
}
