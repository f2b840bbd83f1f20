/**
 * Committed fixtures: samples/builds/<program>/<goX.Y>-<arch>-<variant>/ with exe.xz, core.xz,
 * optional gcore.xz, stack.txt, crash.txt and meta.json. Only directories with a finished meta.json
 * count (a meta.part.json means the build is still being produced). Tests must never skip silently:
 * with no samples at all, listSampleBuilds throws.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { xz as lzmaXz } from '@napi-rs/lzma';
import { decompressToCache, detectCompression } from '../../src/memory/open-input.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** samples/builds, or $GOSPY_SAMPLES_DIR (for trying the tests against locally made builds). */
export const SAMPLES_DIR = process.env['GOSPY_SAMPLES_DIR'] || path.join(REPO, 'samples', 'builds');

export interface SampleBuild {
  readonly dir: string;
  readonly program: string;
  /** e.g. "go1.19" */
  readonly go: string;
  readonly arch: string;
  readonly variant: string;
  readonly meta: Record<string, unknown>;
}

export type SampleFile = 'exe' | 'core' | 'gcore';

/** Every finished sample build, sorted by program then directory name. Throws if there are none. */
export function listSampleBuilds(): SampleBuild[] {
  const out: SampleBuild[] = [];
  const programs = fs.existsSync(SAMPLES_DIR) ? fs.readdirSync(SAMPLES_DIR).sort() : [];
  for (const program of programs) {
    const pdir = path.join(SAMPLES_DIR, program);
    if (!fs.statSync(pdir).isDirectory()) continue;
    for (const name of fs.readdirSync(pdir).sort()) {
      const dir = path.join(pdir, name);
      const metaPath = path.join(dir, 'meta.json');
      if (!fs.existsSync(metaPath)) continue;
      const m = /^(go\d+\.\d+)-([a-z0-9]+)-(.+)$/.exec(name);
      if (!m) throw new Error(`sample directory ${dir} is not named <goX.Y>-<arch>-<variant>`);
      out.push({
        dir,
        program,
        go: m[1]!,
        arch: m[2]!,
        variant: m[3]!,
        meta: JSON.parse(fs.readFileSync(metaPath, 'utf8')) as Record<string, unknown>,
      });
    }
  }
  if (out.length === 0) {
    throw new Error(
      `no sample builds under ${SAMPLES_DIR} (need <program>/<goX.Y>-<arch>-<variant>/meta.json); ` +
        'tests that use samples must not silently pass without them',
    );
  }
  return out;
}

/** Whether the build has `file` (exe.xz / core.xz / gcore.xz, or uncompressed). */
export function hasSampleFile(build: SampleBuild, file: SampleFile): boolean {
  return [`${file}.xz`, `${file}.gz`, `${file}.zst`, file].some((n) => fs.existsSync(path.join(build.dir, n)));
}

/**
 * Path of the decompressed `file` of `build`, decompressed once into the shared gospy cache
 * (${GOSPY_CACHE:-~/.cache/gospy}/decompressed). Throws if the sample lacks the file.
 */
export async function samplePath(build: SampleBuild, file: SampleFile): Promise<string> {
  for (const n of [`${file}.xz`, `${file}.gz`, `${file}.zst`, file]) {
    const p = path.join(build.dir, n);
    if (!fs.existsSync(p)) continue;
    const fd = fs.openSync(p, 'r');
    const head = new Uint8Array(8);
    fs.readSync(fd, head, 0, 8, 0);
    fs.closeSync(fd);
    const kind = detectCompression(head);
    return kind ? decompressToCache(p, kind) : p;
  }
  throw new Error(`sample ${build.dir} has no ${file}`);
}

/** Test-title form: "states/go1.19-amd64-static". */
export function sampleName(build: SampleBuild): string {
  return `${build.program}/${path.basename(build.dir)}`;
}

/** A sample's text oracle (`stack.txt`, `crash.txt`), plain or xz-compressed; undefined when absent. */
export function readSampleText(build: SampleBuild, name: 'stack.txt' | 'crash.txt'): string | undefined {
  const plain = path.join(build.dir, name);
  if (fs.existsSync(plain)) return fs.readFileSync(plain, 'utf8');
  const xz = `${plain}.xz`;
  if (fs.existsSync(xz)) return Buffer.from(lzmaXz.decompressSync(fs.readFileSync(xz))).toString('utf8');
  return undefined;
}
