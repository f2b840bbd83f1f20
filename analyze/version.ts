/**
 * `gospy --version`: gospy's version, the Go versions it reads (from the analyzer's own limits in
 * src/runtime/binary-facts.ts, not a literal here), the Node it runs on and how it was built.
 * Loaded only when --version is asked for.
 */
import { readFileSync } from 'node:fs';
import { NEWEST_KNOWN_MINOR, OLDEST_SUPPORTED_MINOR } from '../src/runtime/binary-facts.ts';
import { buildInfo } from './build-info.ts';

export function versionText(): string {
  const build = [buildInfo.kind, buildInfo.commit, buildInfo.date].filter((s) => s !== undefined && s !== '').join(', ');
  return [
    `gospy ${buildInfo.version ?? packageVersion()}`,
    `reads Go go1.${OLDEST_SUPPORTED_MINOR} to go1.${NEWEST_KNOWN_MINOR} (newer releases: struct layouts from the binary's DWARF)`,
    `node ${process.version}`,
    `build ${build}`,
  ].join('\n');
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}
