/** What a build records about itself (the CLI's build-info.ts in a build): kind, version, commit, date. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type BuildKind = 'bundle' | 'sea';

export interface BuildFacts {
  readonly kind: BuildKind;
  readonly version: string;
  /** `git rev-parse HEAD` with `-dirty` when the work tree has changes; 'unknown' outside git. */
  readonly commit: string;
  /** ISO 8601, UTC; SOURCE_DATE_EPOCH when set (reproducible builds). */
  readonly date: string;
}

const ROOT = path.resolve(import.meta.dirname, '..');

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}

export function buildFacts(kind: BuildKind): BuildFacts {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  const date = epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return { kind, version: pkg.version, commit: gitCommit(), date: date.toISOString() };
}
