/**
 * How this gospy was built, for `gospy --version`. Run from the TypeScript sources it is 'source';
 * the packaging build replaces this module with the facts of the build (kind 'bundle' or 'sea',
 * commit, date).
 */
export interface BuildInfo {
  readonly kind: 'source' | 'bundle' | 'sea';
  /** The package version, when the build knows it (a bundle has no package.json beside it). */
  readonly version?: string | undefined;
  readonly commit?: string | undefined;
  readonly date?: string | undefined;
}

export const buildInfo: BuildInfo = { kind: 'source' };
