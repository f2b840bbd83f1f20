/**
 * The JSON metadata block of a .gsz snapshot (docs/snapshot-format.md): checked field by field, so a
 * damaged or hand-edited snapshot gives a FormatError naming the field, never a TypeError later.
 */
import { FormatError, UnsupportedError } from '../../base/errors.ts';
import { HEADER_SIZE } from './layout.ts';
import type { SnapshotMapping, SnapshotMeta, SnapshotThread } from './schema.ts';

export const SNAPSHOT_HINT = 'the snapshot file is corrupt; capture again';

// ---- metadata validation --------------------------------------------------------------------

type Json = unknown;

class MetaChecker {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  fail(where: string, detail: string): never {
    throw new FormatError(`snapshot ${this.name} metadata`, `${where}: ${detail}`, undefined, { hint: SNAPSHOT_HINT });
  }
  obj(v: Json, where: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'not an object');
    return v as Record<string, Json>;
  }
  arr(v: Json, where: string): Json[] {
    if (!Array.isArray(v)) this.fail(where, 'not an array');
    return v;
  }
  num(v: Json, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'not a number');
    return v;
  }
  optNum(v: Json, where: string): number | undefined {
    return v === undefined || v === null ? undefined : this.num(v, where);
  }
  str(v: Json, where: string): string {
    if (typeof v !== 'string') this.fail(where, 'not a string');
    return v;
  }
  optStr(v: Json, where: string): string | undefined {
    return v === undefined || v === null ? undefined : this.str(v, where);
  }
  bool(v: Json, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'not a boolean');
    return v;
  }
  /** A 64-bit value written as "0x…" (NaN when null or above 2^53). */
  u64(v: Json, where: string): number {
    if (v === null) return Number.NaN;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    const s = this.str(v, where);
    if (!/^0x[0-9a-f]{1,16}$/i.test(s)) this.fail(where, `${JSON.stringify(s.slice(0, 40))} is not a hex number`);
    const n = Number.parseInt(s.slice(2), 16);
    return Number.isSafeInteger(n) ? n : Number.NaN;
  }
  b64(v: Json, where: string): Uint8Array {
    const s = this.str(v, where);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) this.fail(where, 'not base64');
    return new Uint8Array(Buffer.from(s, 'base64'));
  }
}

export interface ParsedMeta {
  readonly meta: SnapshotMeta;
  readonly threads: SnapshotThread[];
  readonly maps: SnapshotMapping[];
  readonly auxv: Uint8Array;
  readonly exeSize: number;
}

export function parseMeta(bytes: Uint8Array, name: string): ParsedMeta {
  const c = new MetaChecker(name);
  let doc: Json;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new FormatError(`snapshot ${name} metadata`, `not valid JSON: ${(e as Error).message}`, HEADER_SIZE, { hint: SNAPSHOT_HINT, cause: e });
  }
  const d = c.obj(doc, 'document');
  const m = c.obj(d['meta'], 'meta');
  const arch = c.str(m['arch'], 'meta.arch');
  if (arch !== 'amd64' && arch !== 'arm64') {
    throw new UnsupportedError('arch', `snapshot ${name} is of a ${arch} process; gospy reads linux/amd64 and linux/arm64`);
  }
  const mode = c.str(m['mode'], 'meta.mode');
  const meta: SnapshotMeta = {
    pid: c.num(m['pid'], 'meta.pid'),
    nsPid: c.optNum(m['nsPid'], 'meta.nsPid'),
    host: c.str(m['host'], 'meta.host'),
    kernel: c.str(m['kernel'], 'meta.kernel'),
    arch,
    pageSize: c.num(m['pageSize'], 'meta.pageSize'),
    mode: mode === 'goroutines' ? 'goroutines' : 'full',
    time: c.str(m['time'], 'meta.time'),
    monotonicNs: c.num(m['monotonicNs'], 'meta.monotonicNs'),
    pauseMs: c.num(m['pauseMs'], 'meta.pauseMs'),
    partial: c.bool(m['partial'], 'meta.partial'),
    unstoppedThreads: c.arr(m['unstoppedThreads'] ?? [], 'meta.unstoppedThreads').map((x, i) => c.num(x, `meta.unstoppedThreads[${i}]`)),
    cmdline: c.arr(m['cmdline'], 'meta.cmdline').map((x, i) => c.str(x, `meta.cmdline[${i}]`)),
    exePath: c.str(m['exePath'], 'meta.exePath'),
    exeBuildId: c.optStr(m['exeBuildId'], 'meta.exeBuildId'),
    captureTool: c.str(m['captureTool'], 'meta.captureTool'),
    nonblocking: c.bool(m['nonblocking'] ?? false, 'meta.nonblocking'),
    ...(m['tornGoroutines'] === undefined
      ? {}
      : { tornGoroutines: c.arr(m['tornGoroutines'], 'meta.tornGoroutines').map((x, i) => c.num(x, `meta.tornGoroutines[${i}]`)) }),
  };
  const threads = c.arr(d['threads'], 'threads').map((tv, i): SnapshotThread => {
    const t = c.obj(tv, `threads[${i}]`);
    const tls = t['tls'] === undefined ? undefined : c.u64(t['tls'], `threads[${i}].tls`);
    return {
      tid: c.num(t['tid'], `threads[${i}].tid`),
      state: c.str(t['state'], `threads[${i}].state`),
      stopped: c.bool(t['stopped'], `threads[${i}].stopped`),
      regs: c.b64(t['regs'], `threads[${i}].regs`),
      ...(tls === undefined ? {} : { tls }),
    };
  });
  const maps = c.arr(d['maps'], 'maps').map((mv, i): SnapshotMapping => {
    const x = c.obj(mv, `maps[${i}]`);
    return {
      start: c.u64(x['start'], `maps[${i}].start`),
      end: c.u64(x['end'], `maps[${i}].end`),
      perms: c.str(x['perms'], `maps[${i}].perms`),
      offset: c.u64(x['offset'], `maps[${i}].offset`),
      path: c.str(x['path'], `maps[${i}].path`),
    };
  });
  const exe = c.obj(d['exe'], 'exe');
  const exeSize = c.num(exe['size'], 'exe.size');
  if (!Number.isSafeInteger(exeSize) || exeSize < 0) c.fail('exe.size', `${exeSize} is not a size`);
  return { meta, threads, maps, auxv: c.b64(d['auxv'], 'auxv'), exeSize };
}

