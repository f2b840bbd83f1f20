/**
 * Go version strings as the toolchain writes them: runtime.Version()/runtime.buildVersion and the
 * buildinfo header (golang/go:src/go/version/version.go, src/internal/goversion, cmd/dist), the
 * GOEXPERIMENT suffix " X:a,b" (cmd/go/internal/load/pkg.go, internal/buildcfg/exp.go), devel
 * builds ("devel go1.23-abc123 Tue …", older "devel +abc123 …"), and the compiler's DWARF producer
 * ("Go cmd/compile go1.21.13; regabi"). Pattern after delve's pkg/goversion.
 */

export interface GoVersion {
  /** The string as given. */
  readonly raw: string;
  readonly major: number;
  readonly minor: number;
  /** Patch release; 0 for "go1.21" or "go1.21.0", and for pre-releases and devel builds. */
  readonly patch: number;
  /** "rc1", "beta2" for pre-releases. */
  readonly pre?: string | undefined;
  readonly devel: boolean;
  /** GOEXPERIMENT names from an " X:a,b" suffix (e.g. "boringcrypto", "nodwarf5"). */
  readonly experiments: readonly string[];
}

const RELEASE = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:rc|beta)\d+)?$/;

/**
 * Parses a Go version string. Returns undefined for strings that do not name a Go version
 * (including "devel +abc123" builds without a base version, whose minor is unknown).
 */
export function parseGoVersion(s: string): GoVersion | undefined {
  let rest = s.trim();
  let devel = false;
  const producer = /^Go cmd\/compile (.*)$/.exec(rest);
  if (producer) rest = producer[1]!.split(';')[0]!.trim();
  if (rest.startsWith('devel ')) {
    devel = true;
    rest = rest.slice(6).trim();
  }
  const words = rest.split(/\s+/);
  let experiments: string[] = [];
  for (const w of words.slice(1)) if (w.startsWith('X:')) experiments = w.slice(2).split(',').filter((x) => x !== '');
  let head = words[0] ?? '';
  if (devel) {
    // "go1.23-abc123" (1.21+ devel) or "go1.23-abc123 Tue …"
    const dash = head.indexOf('-');
    if (dash >= 0) head = head.slice(0, dash);
  }
  const m = RELEASE.exec(head);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  if (major !== 1 && !(major > 1)) return undefined;
  return {
    raw: s,
    major,
    minor,
    patch: m[3] === undefined ? 0 : Number(m[3]),
    pre: m[4],
    devel,
    experiments,
  };
}

/**
 * Orders versions: by major, minor, then stage (devel < beta < rc < release), then the pre-release
 * number, then patch. "devel go1.N-…" is the development of go1.N, so it precedes go1.N's betas but
 * follows every go1.(N-1) release; atLeast(v, N) is true for it.
 */
export function compareGoVersion(a: GoVersion, b: GoVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    stage(a) - stage(b) ||
    preNumber(a) - preNumber(b) ||
    a.patch - b.patch
  );
}

function stage(v: GoVersion): number {
  if (v.devel) return -1;
  if (v.pre === undefined) return 2;
  return v.pre.startsWith('rc') ? 1 : 0;
}

function preNumber(v: GoVersion): number {
  return v.pre === undefined ? 0 : Number(v.pre.replace(/^\D+/, ''));
}

/** True when `v` is go1.`minor` or later (pre-releases of go1.`minor` count as go1.`minor`). */
export function atLeast(v: GoVersion, minor: number): boolean {
  return v.major > 1 || (v.major === 1 && v.minor >= minor);
}

/** "go1.21.13", "go1.22rc1", "devel go1.23" — a short canonical form for messages. */
export function formatGoVersion(v: GoVersion): string {
  const base = `go${v.major}.${v.minor}${v.pre ?? (v.patch > 0 ? `.${v.patch}` : '')}`;
  return v.devel ? `devel ${base}` : base;
}
