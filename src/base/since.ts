/**
 * The one row picker of every per-Go-version table (runtime/layouts/*, format/gosym/eras.ts, …):
 * rows apply from a Go minor version on, sorted by `since`. The row for a version is the last one
 * whose `since` is at or below it; the first row also stands for older versions, and the last one
 * for newer ones (callers warn about those).
 */
export function rowFor<T extends { readonly since: number }>(rows: readonly T[], minor: number): T {
  let row = rows[0];
  if (row === undefined) throw new RangeError('a per-version table needs at least one row');
  for (const r of rows) if (r.since <= minor) row = r;
  return row;
}
