/**
 * The single executable (issue 14 item 4): `npm run build:sea [-- --arch x64|arm64]` writes
 * build/out/gospy-linux-<arch>. One CommonJS file (every dynamic import inlined) is injected into
 * the official Node 24 binary of the npm `node-linux-<arch>` package with postject (npm); koffi's
 * and @napi-rs/lzma's prebuilt .node files for that arch travel as SEA assets (build/sea-addons.ts).
 * Capture's copy workers need a file to start from, so in the executable the main thread copies
 * (capture/copy.ts's fallback when no worker starts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'rolldown';
import { buildInfoPlugin, CLI_DIR, ROOT } from './build.ts';
import { buildFacts } from './facts.ts';

const OUT = path.join(ROOT, 'build', 'out');
const NODE_VERSION = '24.21.0';
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** npm packages fetched with `npm pack` into build/out/npm (cached): name@version → unpacked dir. */
function npmPackage(spec: string): string {
  const dir = path.join(OUT, 'npm', spec.replace(/[/@]/g, '_'));
  if (fs.existsSync(path.join(dir, 'package'))) return path.join(dir, 'package');
  fs.mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', '--silent', spec], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', tgz], { cwd: dir });
  return path.join(dir, 'package');
}

function version(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

const ENTRY = '\0gospy-sea-entry';

function seaPlugin(pkgJson: string): Plugin {
  return {
    name: 'gospy-sea',
    resolveId(id) {
      if (id === ENTRY) return id;
      if (id === 'koffi') return '\0sea-addon:koffi.node';
      if (id === '@napi-rs/lzma') return '\0sea-addon:lzma.node';
      return null;
    },
    load(id) {
      if (id === ENTRY) {
        return `import { main } from ${JSON.stringify(path.join(CLI_DIR, 'main.ts'))};\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`;
      }
      if (id.startsWith('\0sea-addon:')) {
        // Both addons' native module is their whole API; lzma's names are re-exported for `import()`.
        const asset = id.slice('\0sea-addon:'.length);
        const names = asset === 'lzma.node' ? ['XzCompressor', 'XzDecompressor', 'xz'] : [];
        return (
          `import { loadSeaAddon } from ${JSON.stringify(path.join(ROOT, 'build', 'sea-addons.ts'))};\n` +
          `const m = loadSeaAddon(${JSON.stringify(asset)});\nexport default m;\n` +
          names.map((n) => `export const ${n} = m.${n};\n`).join('')
        );
      }
      return null;
    },
    transform(code, id) {
      // capture/ptrace.ts loads koffi with createRequire (CommonJS with a native part): here it is the addon asset.
      const req = 'const require = createRequire(import.meta.url);';
      if (id.endsWith(`${path.sep}ptrace.ts`) && code.includes(req)) {
        return `import koffiAddon from 'koffi';\n${code.replace(req, 'const require = (_id: string): unknown => koffiAddon;')}`;
      }
      // The CLI and capture read the version from ../package.json beside them; the executable has none.
      const read = "readFileSync(new URL('../package.json', import.meta.url), 'utf8')";
      return code.includes(read) ? code.split(read).join(JSON.stringify(pkgJson)) : null;
    },
  };
}

export async function buildSea(arch: 'x64' | 'arm64'): Promise<string> {
  const work = path.join(OUT, `sea-${arch}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const pkg = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  await build({
    input: ENTRY,
    platform: 'node',
    plugins: [seaPlugin(JSON.stringify({ version: (JSON.parse(pkg) as { version: string }).version })), buildInfoPlugin(buildFacts('sea'))],
    transform: { target: 'node24', define: { 'import.meta.url': '"file:///gospy-sea/dist/gospy.cjs"' } },
    logLevel: 'warn',
    output: { file: path.join(work, 'gospy.cjs'), format: 'cjs', codeSplitting: false },
  });
  const koffi = npmPackage(`@koromix/koffi-linux-${arch}@${version('koffi')}`);
  const lzma = npmPackage(`@napi-rs/lzma-linux-${arch}-gnu@${version('@napi-rs/lzma')}`);
  const node = npmPackage(`node-linux-${arch}@${NODE_VERSION}`);
  const config = {
    main: path.join(work, 'gospy.cjs'),
    output: path.join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
    assets: {
      'koffi.node': path.join(koffi, `linux_${arch}`, 'koffi.node'),
      'lzma.node': path.join(lzma, `lzma.linux-${arch}-gnu.node`),
    },
  };
  fs.writeFileSync(path.join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', path.join(work, 'sea-config.json')], { stdio: 'inherit' });
  const exe = path.join(OUT, `gospy-linux-${arch}`);
  fs.copyFileSync(path.join(node, 'bin', 'node'), exe);
  fs.chmodSync(exe, 0o755);
  execFileSync('npx', ['-y', 'postject@1.0.0-alpha.6', exe, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', FUSE], { stdio: 'inherit' });
  return exe;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { arch: { type: 'string', multiple: true, default: ['x64', 'arm64'] } } });
  for (const a of values.arch) {
    if (a !== 'x64' && a !== 'arm64') throw new Error(`--arch ${a}: x64 or arm64`);
    const exe = await buildSea(a);
    process.stderr.write(`built ${path.relative(ROOT, exe)}: ${(fs.statSync(exe).size / 2 ** 20).toFixed(1)} MiB\n`);
  }
}
