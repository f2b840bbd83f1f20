/**
 * The capture's pure parts: /proc parsing, waitpid status decoding, the Go-executable check, the
 * pagemap filter (on this process's own memory), and the layer rule for capture/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goExecutable } from '../../capture/capture.ts';
import { sameMaps, subtractRuns } from '../../capture/page-runs.ts';
import { copyableMapping, PagemapScanner } from '../../capture/pagemap.ts';
import { decodeWaitStatus, loadSys } from '../../capture/ptrace.ts';
import { nsPid, parseMaps, parseStatus, parseTimensOffsets, statFields, statusBytes } from '../../capture/proc.ts';
import { REPO } from '../support/samples.ts';
import { findSample } from '../support/live-target.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

describe('/proc parsing', () => {
  it('maps: paths with spaces, deleted files, specials, the vsyscall page', () => {
    const maps = parseMaps(
      [
        '00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/my prog (deleted)',
        '7ffd4e1a0000-7ffd4e1c1000 rw-p 00000000 00:00 0                          [stack]',
        'c000000000-c004000000 ---p 00000000 00:00 0 ',
        '7f0000000000-7f0000001000 r--p 00001000 fd:01 42 /lib/x.so',
        'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
        '',
      ].join('\n'),
    );
    expect(maps.map((m) => m.path)).toEqual(['/usr/bin/my prog (deleted)', '[stack]', '', '/lib/x.so', '[vsyscall]']);
    expect(maps[0]).toMatchObject({ start: 0x400000, end: 0x452000, perms: 'r-xp', offset: 0 });
    expect(maps[3]!.offset).toBe(0x1000);
    expect(Number.isNaN(maps[4]!.start)).toBe(true); // beyond 2^53: NaN, never a wrong address
    expect(maps.map(copyableMapping)).toEqual([true, true, false, true, false]);
    expect(copyableMapping({ start: 1 << 20, end: (1 << 20) + 4096, perms: 'r--p', offset: 0, path: '[vvar]' })).toBe(false);
  });

  it('stat: comm with spaces and parentheses', () => {
    expect(statFields('123 (a) b (c)) S 1 123 123 0 -1')[0]).toBe('S');
    expect(statFields('7 (x) t 1 2')[0]).toBe('t');
  });

  it('status, NSpid and timens offsets', () => {
    const st = parseStatus('Name:\tserver\nState:\tS (sleeping)\nTracerPid:\t0\nNSpid:\t28484\t1\nVmRSS:\t  2048 kB\n');
    expect(st.get('State')).toBe('S (sleeping)');
    expect(statusBytes(st, 'VmRSS')).toBe(2048 * 1024);
    expect(statusBytes(st, 'VmSwap')).toBe(0);
    expect(nsPid(st, 28484)).toBe(1);
    expect(nsPid(parseStatus('NSpid:\t5\n'), 5)).toBeUndefined();
    expect(parseTimensOffsets('monotonic           5     100\nboottime  -1 0\n')).toEqual({ monotonic: 5e9 + 100, boottime: -1e9 });
  });

  it('waitpid status words', () => {
    expect(decodeWaitStatus(0x80057f)).toEqual({ stopped: true, exited: false, stopSig: 5, event: 128 }); // interrupt stop
    expect(decodeWaitStatus(0x80137f)).toMatchObject({ stopped: true, stopSig: 19, event: 128 }); // group stop
    expect(decodeWaitStatus(0x177f)).toMatchObject({ stopped: true, stopSig: 23, event: 0 }); // SIGURG delivery
    expect(decodeWaitStatus(0x0009)).toMatchObject({ stopped: false, exited: true }); // killed
  });
});

describe('Go executable check', () => {
  it('accepts a Go sample and reads its build id; rejects other ELF files and non-ELF', async () => {
    const exe = new Uint8Array(fs.readFileSync(await samplePath(findSample('states', 'go1.27', 'static'), 'exe')));
    expect(goExecutable(exe, 'exe')).toBeDefined();
    expect(goExecutable(exe, 'exe')!.buildId()).toMatch(/^[\w-]{20}\/[\w-]{20}\/[\w-]{20}\/[\w-]{20}$/);
    const sleep = ['/usr/bin/sleep', '/bin/sleep'].find((p) => fs.existsSync(p))!;
    expect(goExecutable(new Uint8Array(fs.readFileSync(sleep)), sleep)).toBeUndefined();
    expect(goExecutable(new TextEncoder().encode('#!/bin/sh\necho \xff Go buildinf:\n'), 'sh')).toBeUndefined();
  });
  it('accepts every committed sample (Go 1.15–1.27, static/PIE/cgo)', async () => {
    const builds = listSampleBuilds().filter((b) => b.go === 'go1.15' || b.go === 'go1.27');
    expect(builds.length).toBeGreaterThan(3);
    for (const b of builds) {
      const name = sampleName(b);
      const exe = new Uint8Array(fs.readFileSync(await samplePath(b, 'exe')));
      expect(goExecutable(exe, name), name).toBeDefined();
      expect(goExecutable(exe, name)!.buildId(), name).toBeDefined();
    }
  });
});

describe('pagemap filter', () => {
  it('finds exactly the touched pages of a sparse buffer in this process', () => {
    const sys = loadSys();
    const mib = 1 << 20;
    // allocUnsafeSlow of 64 MiB is a fresh anonymous mmap: no page is present until written.
    const buf = Buffer.allocUnsafeSlow(64 * mib);
    const base = Number(sys.address(buf));
    const first = Math.ceil(base / 4096) * 4096;
    const touched: number[] = [];
    for (let i = 2; i < 60; i += 7) {
      const at = first + i * mib;
      buf[at - base] = 1;
      buf[at - base + 4096] = 1; // two consecutive pages
      touched.push(at);
    }
    const scanner = new PagemapScanner(process.pid);
    const runs: { addr: number; len: number }[] = [];
    try {
      scanner.scanRange(first + mib, first + 62 * mib, runs);
    } finally {
      scanner.close();
    }
    // Untouched neighbours are absent unless the allocator already wrote them; the touched pairs are there.
    for (const at of touched) {
      expect(runs.some((r) => r.addr <= at && at + 8192 <= r.addr + r.len), `0x${at.toString(16)}`).toBe(true);
    }
    const present = runs.reduce((s, r) => s + r.len, 0);
    expect(present).toBeLessThan(8 * mib);
    expect(buf.length).toBe(64 * mib);
  });
});

describe('capture/ layering', () => {
  // src/format and src/runtime too since --mode goroutines: it must know Go to know what to copy
  // (capture/goroutines.ts walks the frozen process with the runtime layer). Never src/report or analyze/.
  it('imports only src/base, src/format, src/memory, src/runtime and itself', () => {
    const dir = path.join(REPO, 'capture');
    const bad: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\()['"](\.[^'"]+)['"]/g)) {
        const rel = path.relative(REPO, path.resolve(dir, m[1]!));
        if (!/^(capture\/|src\/(base|format|memory|runtime)\/|package\.json$)/.test(rel)) bad.push(`${f} imports ${rel}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('goroutines mode: what the plan missed', () => {
  it('subtractRuns keeps exactly the parts of the wanted runs that no copied run holds', () => {
    const P = 4096;
    const have = [
      { addr: 2 * P, len: 2 * P },
      { addr: 6 * P, len: P },
    ];
    const want = [
      { addr: 0, len: P }, // before everything
      { addr: P, len: 7 * P }, // straddles both, with gaps around and between
      { addr: 10 * P, len: P }, // after everything
    ];
    expect(subtractRuns(want, have)).toEqual([
      { addr: 0, len: P },
      { addr: P, len: P },
      { addr: 4 * P, len: 2 * P },
      { addr: 7 * P, len: P },
      { addr: 10 * P, len: P },
    ]);
    expect(subtractRuns([{ addr: 2 * P, len: P }], have)).toEqual([]);
    expect(subtractRuns(want, [])).toEqual(want);
  });

  it('sameMaps: the plan made before the freeze stands when the maps are the same, [vsyscall] included', () => {
    // [vsyscall] lies above 2^53, so its addresses parse as NaN; a plain !== once made every pair of
    // readings differ, and the freeze re-clipped the plan every time.
    const text = [
      '00400000-00401000 r-xp 00000000 08:01 42 /srv/app',
      'c000000000-c004000000 rw-p 00000000 00:00 0 ',
      'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]',
    ].join('\n');
    expect(sameMaps(parseMaps(text), parseMaps(text))).toBe(true);
    expect(sameMaps(parseMaps(text), parseMaps(text.replace('c004000000', 'c008000000')))).toBe(false);
    expect(sameMaps(parseMaps(text), parseMaps(text.replace('rw-p', 'r--p')))).toBe(false);
    expect(sameMaps(parseMaps(text), parseMaps(text).slice(1))).toBe(false);
  });
});
