/**
 * "Now" on the target's monotonic clock, for wait minutes (`goroutineheader` in
 * `src/runtime/traceback.go` prints (nanotime() − g.waitsince)/60e9). Snapshots record
 * CLOCK_MONOTONIC at capture: exact. Cores carry no clock, so gospy takes the latest monotonic
 * timestamp the runtime itself wrote: `sched.procresizetime` (every start-the-world, so every GC and
 * every runtime.Stack), `sched.lastpoll` (netpoll, refreshed by sysmon), `memstats.last_gc_nanotime`
 * and the newest `g.waitsince`. That is a lower bound: minutes can only come out too small, never
 * too large, and the model marks them as estimated.
 */
export interface ClockReading {
  readonly nanotime: number;
  readonly estimated: boolean;
  readonly source: string;
}

export function estimateNow(monotonicNow: number | undefined, candidates: readonly [string, number | undefined][]): ClockReading | undefined {
  if (monotonicNow !== undefined) return { nanotime: monotonicNow, estimated: false, source: 'capture clock (CLOCK_MONOTONIC)' };
  let best: [string, number] | undefined;
  for (const [name, v] of candidates) {
    if (v === undefined || !(v > 0)) continue;
    if (!best || v > best[1]) best = [name, v];
  }
  if (!best) return undefined;
  return { nanotime: best[1], estimated: true, source: `latest runtime timestamp in memory (${best[0]})` };
}

export function waitMinutes(now: ClockReading | undefined, waitsince: number): number | undefined {
  if (!now || waitsince === 0) return undefined;
  const m = Math.floor((now.nanotime - waitsince) / 60e9);
  return m >= 1 ? m : undefined;
}
