/**
 * waitReason index → text, per Go version: the fallback when the binary's own
 * `runtime.waitReasonStrings` cannot be read. Source: the waitReason const block and
 * waitReasonStrings in `src/runtime/runtime2.go` at each release tag. Each entry holds from its `since`
 * minor version until the next entry.
 */
import { rowFor } from '../../base/since.ts';

const V12 = [
  '', 'GC assist marking', 'IO wait', 'chan receive (nil chan)', 'chan send (nil chan)', 'dumping heap',
  'garbage collection', 'garbage collection scan', 'panicwait', 'select', 'select (no cases)',
  'GC assist wait', 'GC sweep wait', 'chan receive', 'chan send', 'finalizer wait', 'force gc (idle)',
  'semacquire', 'sleep', 'sync.Cond.Wait', 'timer goroutine (idle)', 'trace reader (blocked)',
  'wait for GC cycle', 'GC worker (idle)',
];
const V13 = [...V12.slice(0, 13), 'GC scavenge wait', ...V12.slice(13)];
const V14 = [...V13, 'preempted'];
const V15 = [...V14, 'debug call'];
const V20 = [
  '', 'GC assist marking', 'IO wait', 'chan receive (nil chan)', 'chan send (nil chan)', 'dumping heap',
  'garbage collection', 'garbage collection scan', 'panicwait', 'select', 'select (no cases)',
  'GC assist wait', 'GC sweep wait', 'GC scavenge wait', 'chan receive', 'chan send', 'finalizer wait',
  'force gc (idle)', 'semacquire', 'sleep', 'sync.Cond.Wait', 'sync.Mutex.Lock', 'sync.RWMutex.RLock',
  'sync.RWMutex.Lock', 'trace reader (blocked)', 'wait for GC cycle', 'GC worker (idle)',
  'GC worker (active)', 'preempted', 'debug call', 'GC mark termination', 'stopping the world',
];
const V22 = [...V20, 'flushing proc caches', 'trace goroutine status', 'trace proc status', 'page trace flush', 'coroutine'];
const V23 = [...V22, 'GC weak to strong wait'];
const V24 = [
  ...V23.slice(0, 24), 'sync.WaitGroup.Wait', ...V23.slice(24),
  'synctest.Run', 'synctest.Wait', 'chan receive (synctest)', 'chan send (synctest)', 'select (synctest)',
];
const V25 = [
  ...V24.slice(0, 18), 'GOMAXPROCS updater (idle)', ...V24.slice(18, 39),
  'synctest.Run', 'synctest.Wait', 'chan receive (durable)', 'chan send (durable)', 'select (durable)',
  'sync.WaitGroup.Wait (durable)', 'cleanup wait',
];
const V26 = [
  '', 'GC assist marking', 'IO wait', 'dumping heap', 'garbage collection', 'garbage collection scan',
  'panicwait', 'GC assist wait', 'GC sweep wait', 'GC scavenge wait', 'finalizer wait', 'force gc (idle)',
  'GOMAXPROCS updater (idle)', 'semacquire', 'sleep', 'chan receive (nil chan)', 'chan send (nil chan)',
  'select (no cases)', 'select', 'chan receive', 'chan send', 'sync.Cond.Wait', 'sync.Mutex.Lock',
  'sync.RWMutex.RLock', 'sync.RWMutex.Lock', 'sync.WaitGroup.Wait', 'trace reader (blocked)',
  'wait for GC cycle', 'GC worker (idle)', 'GC worker (active)', 'preempted', 'debug call',
  'GC mark termination', 'stopping the world', 'flushing proc caches', 'trace goroutine status',
  'trace proc status', 'page trace flush', 'coroutine', 'GC weak to strong wait', 'synctest.Run',
  'synctest.Wait', 'chan receive (durable)', 'chan send (durable)', 'select (durable)',
  'sync.WaitGroup.Wait (durable)', 'cleanup wait',
];

export const WAIT_REASON_TABLES: readonly { readonly since: number; readonly names: readonly string[] }[] = [
  { since: 12, names: V12 },
  { since: 13, names: V13 },
  { since: 14, names: V14 },
  { since: 15, names: V15 },
  { since: 20, names: V20 },
  { since: 22, names: V22 },
  { since: 23, names: V23 },
  { since: 24, names: V24 },
  { since: 25, names: V25 },
  { since: 26, names: V26 },
];

/** The table for a minor version: the last entry whose `since` ≤ minor (open-ended upwards). */
export function waitReasonTable(minor: number): readonly string[] {
  return rowFor(WAIT_REASON_TABLES, minor).names;
}
