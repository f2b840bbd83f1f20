/**
 * How some runtime data is represented, per Go version (each row holds from `since` on):
 * - the finalizer goroutine's "running a finalizer" flag (`src/runtime/mfinal.go`): `fingRunning
 *   bool` up to 1.19, `fingStatus` with bit fingRunningFinalizer (2) from 1.20;
 * - what `g.labels` points at (`src/runtime/pprof/label.go`): a `labelMap` holding a
 *   `map[string]string` up to 1.23, a label list `{[]{key, value string}}` from 1.24.
 */
import { rowFor } from '../../base/since.ts';

export interface RuntimeDataRow {
  readonly since: number;
  readonly finalizerFlag: { readonly global: 'runtime.fingRunning' | 'runtime.fingStatus'; readonly size: 1 | 4; readonly mask: number };
  readonly labels: 'map' | 'list';
}

const ROWS: readonly RuntimeDataRow[] = [
  { since: 12, finalizerFlag: { global: 'runtime.fingRunning', size: 1, mask: 0xff }, labels: 'map' },
  { since: 20, finalizerFlag: { global: 'runtime.fingStatus', size: 4, mask: 2 }, labels: 'map' },
  { since: 24, finalizerFlag: { global: 'runtime.fingStatus', size: 4, mask: 2 }, labels: 'list' },
];

export function runtimeData(minor: number): RuntimeDataRow {
  return rowFor(ROWS, minor);
}
