/**
 * Page runs for the copy: ranges rounded out to pages and merged, clipped to the mappings that may
 * be read, subtracted from one another; and whether two readings of the maps agree.
 */
import type { SnapshotMapping } from '../src/format/snapshot/schema.ts';
import type { CopyResult } from './copy.ts';
import type { PageRun } from './pagemap.ts';

/**
 * Runs are whole pages, and ranges less than a page apart are merged: far fewer iovecs for
 * process_vm_readv (10k goroutines would otherwise be 20k small runs, and the per-iovec cost
 * dominates the pause) for a little more memory.
 */
export const PAGE = 4096;

/** Whether two readings of /proc/PID/maps list the same mappings. */
export function sameMaps(a: readonly SnapshotMapping[], b: readonly SnapshotMapping[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // Object.is: addresses above 2^53 ([vsyscall]) read as NaN, which !== itself.
    if (!Object.is(x.start, y.start) || !Object.is(x.end, y.end) || x.perms !== y.perms || !Object.is(x.offset, y.offset) || x.path !== y.path) return false;
  }
  return true;
}

export function joinResults(a: CopyResult, b: CopyResult): CopyResult {
  return {
    runs: [...a.runs, ...b.runs].sort((x, y) => x.addr - y.addr),
    bytes: a.bytes + b.bytes,
    missedBytes: a.missedBytes + b.missedBytes,
    gone: a.gone || b.gone,
    denied: a.denied === true || b.denied === true,
  };
}

/** The parts of `want` (sorted, page runs) that `have` (sorted, not overlapping) does not hold. */
export function subtractRuns(want: readonly PageRun[], have: readonly PageRun[]): PageRun[] {
  const out: PageRun[] = [];
  let h = 0;
  for (const w of want) {
    let a = w.addr;
    const e = w.addr + w.len;
    while (h < have.length && have[h]!.addr + have[h]!.len <= a) h++;
    for (let k = h; k < have.length && a < e; k++) {
      const hs = have[k]!.addr;
      const he = hs + have[k]!.len;
      if (hs >= e) break;
      if (hs > a) out.push({ addr: a, len: hs - a });
      a = Math.max(a, he);
    }
    if (a < e) out.push({ addr: a, len: e - a });
  }
  return out;
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
  const merged = mergePages(ranges);
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

/** `ranges` rounded out to whole pages, sorted, overlapping and touching ones merged. */
export function mergePages(ranges: readonly (readonly [number, number])[]): [number, number][] {
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
  return merged;
}
