/**
 * Built-in struct offsets for binaries without DWARF, per Go minor version (linux, 64-bit; amd64 and
 * arm64 share them). Source: `src/runtime/runtime2.go` at each release tag, verified against the
 * DWARF of real builds for 1.15, 1.19, 1.21–1.24, 1.26, 1.27 by `node_modules/.bin/node analyze/dev-layout.ts` and
 * checked against every sample by test/runtime/layout-tables.test.ts. Columns are Go minor versions
 * 12..27; `-1` means the field does not exist in that version, or (for the optional fields whose offset
 * depends on build-time struct sizes, like m.vdsoSP) that no real build of that version was measured:
 * the reader then degrades instead of guessing.
 */
import { MapLayout, type Layout } from './layout.ts';
import type { FieldName } from './fields.ts';

const MINORS = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27] as const;

// prettier-ignore
const TABLE: Partial<Record<FieldName, readonly number[]>> = {
  //                     12   13   14   15   16   17   18   19   20   21   22   23   24   25   26   27
  'g.stack.lo':       [   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0],
  'g.stack.hi':       [   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8],
  'g.m':              [  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48,  48],
  'g.sched.sp':       [  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56,  56],
  'g.sched.pc':       [  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64,  64],
  'g.sched.lr':       [  96,  96,  96,  96,  96,  96,  96,  96,  96,  96,  96,  96,  96,  88,  88,  88],
  'g.sched.bp':       [ 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104,  96,  96,  96],
  'g.syscallsp':      [ 112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 112, 104, 104, 104],
  'g.syscallpc':      [ 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 112, 112, 112],
  'g.atomicstatus':   [ 144, 144, 144, 144, 144, 144, 144, 144, 144, 144, 144, 152, 152, 144, 144, 144],
  'g.goid':           [ 152, 152, 152, 152, 152, 152, 152, 152, 152, 152, 152, 160, 160, 152, 152, 152],
  'g.waitsince':      [ 168, 168, 168, 168, 168, 168, 168, 168, 168, 168, 168, 176, 176, 168, 168, 168],
  'g.waitreason':     [ 176, 176, 176, 176, 176, 176, 176, 176, 176, 176, 176, 184, 184, 176, 176, 176],
  'g.lockedm':        [ 216, 216, 216, 216, 216, 232, 232, 232, 232, 208, 208, 216, 216, 208, 208, 208],
  'g.parentGoid':     [  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1, 272, 272, 280, 280, 272, 280, 280],
  'g.gopc':           [ 280, 280, 280, 280, 280, 296, 296, 296, 296, 280, 280, 288, 288, 280, 288, 288],
  'g.ancestors':      [ 288, 288, 288, 288, 288, 304, 304, 304, 304, 288, 288, 296, 296, 288, 296, 296],
  'g.startpc':        [ 296, 296, 296, 296, 296, 312, 312, 312, 312, 296, 296, 304, 304, 296, 304, 304],
  'g.labels':         [ 344, 344, 344, 344, 344, 360, 360, 360, 360, 344, 344, 352, 352, 344, 352, 352],
  'm.g0':             [   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0],
  'm.procid':         [  72,  72,  72,  72,  72,  72,  72,  72,  72,  72,  72,  72,  72,  64,  64,  64],
  'm.gsignal':        [  80,  80,  80,  80,  80,  80,  80,  80,  80,  80,  80,  80,  80,  72,  72,  72],
  'm.tls':            [ 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 128, 128, 128],
  'm.curg':           [ 192, 192, 192, 192, 192, 192, 192, 192, 192, 192, 192, 192, 192, 184, 184, 184],
  'm.caughtsig':      [ 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 192, 192, 192],
  'm.id':             [ 232, 232, 232, 232, 232, 232, 232, 232, 232, 232, 232, 232, 232, 224, 232, 232],
  'm.throwing':       [ 244, 244, 244, 244, 244, 244, 244, 244, 244, 244, 244, 244, 244, 236, 244, 244],
  'm.incgo':          [ 281, 280, 280, 280, 280, 280, 280, 280, 280, 280, 280, 280, 280, 272, 280, 280],
  'm.ncgo':           [ 312, 312, 312, 312, 312, 312, 312, 312, 312, 312, 304, 304, 304, 320, 328, 328],
  'm.alllink':        [ 336, 336, 336, 336, 344, 344, 336, 336, 336, 336, 328, 328, 328, 344, 352, 352],
  'm.lockedg':        [ 360, 360, 360, 352, 360, 360, 352, 352, 352, 352, 344, 344, 344, 360, 384, 384],
  'm.vdsoSP':         [  -1,  -1,  -1, 800,  -1,  -1,  -1, 800,  -1, 808,1120, 856, 880,  -1, 896, 896],
  'm.vdsoPC':         [  -1,  -1,  -1, 808,  -1,  -1,  -1, 808,  -1, 816,1128, 864, 888,  -1, 904, 904],
  'g.runningCleanups':[  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1, 220, 220],
  'schedt.lastpoll':  [   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8,   8],
  'schedt.procresizetime': [-1, -1, -1, 320, -1, -1, -1, 288, -1, 296, 296, 296, 296, -1, 328, 328],
};

/** The table for a Go minor version: exact when known, else the nearest older one. */
export function tableLayout(minor: number): { layout: Layout; exact: boolean; minor: number } {
  let idx = MINORS.findIndex((m) => m === minor);
  let exact = true;
  if (idx < 0) {
    exact = false;
    idx = minor > MINORS[MINORS.length - 1]! ? MINORS.length - 1 : 0;
  }
  const offsets = new Map<string, number>();
  for (const [field, column] of Object.entries(TABLE)) {
    const v = column![idx]!;
    if (v >= 0) offsets.set(field, v);
  }
  const used = MINORS[idx]!;
  return { layout: new MapLayout(`built-in layout for go1.${used}`, offsets), exact, minor: used };
}
