/**
 * Builds the published JavaScript: `dist/gospy.mjs` (the `bin`), its lazily loaded chunks and the
 * capture copy worker, with source maps. Run by `npm run build` and by `prepack`, so `npm pack` /
 * `npm publish` always ship a fresh build; a clone runs the TypeScript sources directly (type
 * stripping) and never needs this.
 *
 * Why a rolldown bundle and not tsc emit: docs/design.md ("Packaging") has the measured start-up
 * times and sizes. Native addons (koffi, @napi-rs/lzma) stay external: they are real dependencies
 * whose npm packages carry the prebuilt .node files for every platform.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type Plugin } from 'rolldown';
import { buildFacts, type BuildFacts } from './facts.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** The command-line folder (analyze/: the entry gospy.mjs and build-info.ts). */
export const CLI_DIR = path.join(ROOT, 'analyze');

/** Dependencies with native parts: never bundled, loaded from node_modules at run time. */
export const NATIVE_DEPENDENCIES = ['koffi', '@napi-rs/lzma'];

/**
 * Replaces the CLI's build-info.ts (which says `kind: 'source'` in a clone) with the facts of this
 * build, so `gospy --version` can tell a clone from a package or a single executable. A tree
 * without that module builds unchanged.
 */
export function buildInfoPlugin(facts: BuildFacts): Plugin {
  return {
    name: 'gospy-build-info',
    load(id) {
      if (path.resolve(id) !== path.join(CLI_DIR, 'build-info.ts')) return null;
      return { code: `export const buildInfo = ${JSON.stringify(facts)};\n`, moduleType: 'ts' };
    },
  };
}

export async function buildPackage(facts: BuildFacts = buildFacts('bundle')): Promise<void> {
  fs.rmSync(DIST, { recursive: true, force: true });
  await build({
    input: {
      gospy: path.join(CLI_DIR, 'gospy.mjs'),
      // capture/copy.ts starts `./copy-worker.js` beside the built chunk that holds it.
      'copy-worker': path.join(ROOT, 'capture', 'copy-worker.ts'),
    },
    platform: 'node',
    external: (id) => NATIVE_DEPENDENCIES.some((d) => id === d || id.startsWith(`${d}/`)),
    plugins: [buildInfoPlugin(facts)],
    transform: { target: 'node22' },
    logLevel: 'warn',
    output: {
      dir: DIST,
      format: 'esm',
      entryFileNames: '[name].mjs',
      chunkFileNames: '[name]-[hash].mjs',
      sourcemap: true,
      // Not minified: stack traces of internal errors (exit 70) stay readable without source maps.
      minify: false,
    },
  });
}

if (import.meta.main) {
  await buildPackage();
  const files = fs.readdirSync(DIST);
  const bytes = files.reduce((n, f) => n + fs.statSync(path.join(DIST, f)).size, 0);
  // stderr: under `npm pack --json` stdout must stay JSON.
  process.stderr.write(`built ${path.relative(process.cwd(), DIST) || '.'}/: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB\n`);
}
