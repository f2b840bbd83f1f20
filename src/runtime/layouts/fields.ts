/**
 * The inventory of runtime struct fields gospy reads: every name here must be found either in the
 * binary's DWARF or in a built-in per-version table. Field names are dotted paths into the Go source
 * (`src/runtime/runtime2.go`): 'g.sched.sp' is `g.sched.sp`. Optional fields exist only in some versions;
 * code asks `layout.has(...)` for them instead of comparing version numbers.
 */

export const REQUIRED_FIELDS = [
  'g.stack.lo',
  'g.stack.hi',
  'g.m',
  'g.sched.sp',
  'g.sched.pc',
  'g.sched.bp',
  'g.syscallsp',
  'g.syscallpc',
  'g.atomicstatus',
  'g.goid',
  'g.waitsince',
  'g.waitreason',
  'g.lockedm',
  'g.gopc',
  'g.startpc',
  'g.labels',
  'm.g0',
  'm.procid',
  'm.gsignal',
  'm.tls',
  'm.curg',
  'm.id',
  'm.alllink',
] as const;

export const OPTIONAL_FIELDS = [
  'g.sched.lr',
  'g.parentGoid',
  'g.runningCleanups',
  'g.ancestors',
  'm.throwing',
  'm.caughtsig',
  'm.vdsoSP',
  'm.vdsoPC',
  'm.lockedg',
  'm.ncgo',
  'm.incgo',
  'schedt.lastpoll',
  'schedt.procresizetime',
] as const;

export type RequiredField = (typeof REQUIRED_FIELDS)[number];
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];
export type FieldName = RequiredField | OptionalField;

/** DWARF path for a field name: the struct type and the member path inside it. */
export const STRUCT_OF: Record<string, string> = {
  g: 'runtime.g',
  m: 'runtime.m',
  schedt: 'runtime.schedt',
};
