/**
 * Which pages to copy (docs/capture.md; the kernel's Documentation/admin-guide/mm/pagemap.rst): only pages /proc/PID/pagemap reports present (bit 63)
 * or swapped (bit 62), of readable mappings that are not [vvar]/[vvar_vclock]/[vsyscall]. Reading a
 * never-touched page would map the zero page into the target, and reading PROT_NONE through
 * /proc/PID/mem would fault it in; both change the target, so neither is ever read.
 */
import * as fs from 'node:fs';
import type { SnapshotMapping } from '../src/format/snapshot/schema.ts';

/** A run of consecutive present-or-swapped pages. */
export interface PageRun {
  readonly addr: number;
  readonly len: number;
}

const SKIPPED_SPECIAL = new Set(['[vvar]', '[vvar_vclock]', '[vsyscall]']);

/** Whether a mapping may be read at all: readable, a real address, and not a special kernel page. */
export function copyableMapping(m: SnapshotMapping): boolean {
  return m.perms[0] === 'r' && Number.isFinite(m.start) && Number.isFinite(m.end) && m.end > m.start && !SKIPPED_SPECIAL.has(m.path);
}

/** Pages read from pagemap per pread: 64k entries = 512 KiB. */
const CHUNK_PAGES = 65536;
/** Largest gap between two ranges that scanRanges still reads with one pread. */
const GROUP_GAP_PAGES = 64;

/**
 * A reusable scanner: holds the pagemap fd and a preallocated entry buffer, so scanning inside the
 * freeze allocates nothing but the result array.
 */
export class PagemapScanner {
  private readonly fd: number;
  private readonly buf: Buffer;
  private readonly words: Uint32Array;
  readonly pageSize: number;

  constructor(pid: number, pageSize = 4096) {
    this.fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
    this.buf = Buffer.alloc(CHUNK_PAGES * 8);
    this.buf.fill(0);
    this.words = new Uint32Array(this.buf.buffer, this.buf.byteOffset, CHUNK_PAGES * 2);
    this.pageSize = pageSize;
  }

  /** Present-or-swapped runs of the given mappings (skipping those that may not be read), in address order. */
  scan(maps: readonly SnapshotMapping[]): PageRun[] {
    const runs: PageRun[] = [];
    for (const m of maps) {
      if (copyableMapping(m)) this.scanRange(m.start, m.end, runs);
    }
    return runs;
  }

  /** Appends the runs of [start, end) to `out`. */
  scanRange(start: number, end: number, out: PageRun[]): void {
    const ps = this.pageSize;
    const firstPage = Math.floor(start / ps);
    const lastPage = Math.ceil(end / ps);
    let runStart = -1;
    for (let page = firstPage; page < lastPage; page += CHUNK_PAGES) {
      const n = Math.min(CHUNK_PAGES, lastPage - page);
      const got = fs.readSync(this.fd, this.buf, 0, n * 8, page * 8);
      const entries = Math.floor(got / 8);
      const w = this.words;
      for (let i = 0; i < n; i++) {
        // High word bit 31 = present (63), bit 30 = swapped (62).
        const keep = i < entries && (w[i * 2 + 1]! & 0xc0000000) !== 0;
        if (keep) {
          if (runStart < 0) runStart = page + i;
        } else if (runStart >= 0) {
          out.push({ addr: runStart * ps, len: (page + i - runStart) * ps });
          runStart = -1;
        }
      }
    }
    if (runStart >= 0) out.push({ addr: runStart * ps, len: (lastPage - runStart) * ps });
  }

  /**
   * Appends the present-or-swapped runs of several ranges (sorted, page-aligned) to `out`, each
   * clipped to its range, reading the pagemap entries of nearby ranges with one pread: a goroutine
   * plan has hundreds of small ranges a few pages apart, and a pread per range cost ~1 ms of pause
   * for 10k goroutines.
   */
  scanRanges(ranges: readonly (readonly [number, number])[], out: PageRun[]): void {
    const ps = this.pageSize;
    for (let i = 0; i < ranges.length; ) {
      // A group: ranges whose pages fit in one read of at most CHUNK_PAGES entries, with gaps of
      // at most GROUP_GAP_PAGES between them (reading the gap's entries costs less than a pread).
      const firstPage = Math.floor(ranges[i]![0] / ps);
      let j = i + 1;
      let lastPage = Math.ceil(ranges[i]![1] / ps);
      while (j < ranges.length) {
        const s = Math.floor(ranges[j]![0] / ps);
        const e = Math.ceil(ranges[j]![1] / ps);
        if (s - lastPage > GROUP_GAP_PAGES || e - firstPage > CHUNK_PAGES) break;
        lastPage = Math.max(lastPage, e);
        j++;
      }
      if (j === i + 1) {
        this.scanRange(ranges[i]![0], ranges[i]![1], out);
        i = j;
        continue;
      }
      const got = fs.readSync(this.fd, this.buf, 0, (lastPage - firstPage) * 8, firstPage * 8);
      const entries = Math.floor(got / 8);
      const w = this.words;
      for (; i < j; i++) {
        const s = Math.floor(ranges[i]![0] / ps) - firstPage;
        const e = Math.ceil(ranges[i]![1] / ps) - firstPage;
        let runStart = -1;
        for (let k = s; k < e; k++) {
          const keep = k < entries && (w[k * 2 + 1]! & 0xc0000000) !== 0;
          if (keep) {
            if (runStart < 0) runStart = k;
          } else if (runStart >= 0) {
            out.push({ addr: (firstPage + runStart) * ps, len: (k - runStart) * ps });
            runStart = -1;
          }
        }
        if (runStart >= 0) out.push({ addr: (firstPage + runStart) * ps, len: (e - runStart) * ps });
      }
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
