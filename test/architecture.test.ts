/**
 * The layer rule of docs/design.md, checked on the imports of every module in src/ (base → format →
 * memory → runtime → report), capture/, the command line (analyze/), build/, bench/ and test/ (test/support/layers.ts has the
 * rules), with import cycles between modules and between folders, and no filesystem in src/format/.
 * The checker is also run on planted trees, to show that each rule can fail.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './support/samples.ts';
import { checkLayers, groupOf, importsOf, type Module, readModules } from './support/layers.ts';

describe('architecture of this repository', () => {
  const modules = readModules(REPO);

  it('finds the modules of every folder', () => {
    for (const g of ['src/base', 'src/format', 'src/memory', 'src/runtime', 'src/report', 'capture', 'analyze', 'bench', 'test/support', 'test']) {
      expect(modules.filter((m) => groupOf(m.path) === g).length, g).toBeGreaterThan(2);
    }
    expect(modules.length).toBeGreaterThan(150);
  });

  it('each folder imports only what its layer may see, with no cycles and no filesystem in src/format/', () => {
    expect(checkLayers(modules)).toEqual([]);
  });

  it('src/ never prints or exits', () => {
    const offenders = modules
      .filter((m) => m.path.startsWith('src/'))
      .filter((m) => /\bconsole\.|process\.exit|process\.stdout|process\.stderr/.test(fs.readFileSync(path.join(REPO, m.path), 'utf8')));
    expect(offenders.map((m) => m.path)).toEqual([]);
  });
});

describe('the layer checker fails on planted trees', () => {
  const mod = (p: string, ...imports: string[]): Module => ({ path: p, imports });
  /** A small tree that keeps every rule. */
  const clean: Module[] = [
    mod('src/base/bytes.ts'),
    mod('src/format/elf/file.ts', 'src/base/bytes.ts'),
    mod('src/format/snapshot/writer.ts', 'src/base/bytes.ts', 'node:crypto'),
    mod('src/memory/open-core.ts', 'node:fs', 'src/format/elf/file.ts'),
    mod('src/runtime/model.ts'),
    mod('src/runtime/target.ts', 'src/memory/open-core.ts'),
    mod('src/runtime/process.ts', 'src/runtime/target.ts', 'src/runtime/symbols/recover.ts', 'src/runtime/model.ts'),
    mod('src/runtime/symbols/recover.ts', 'src/runtime/target.ts'),
    mod('src/report/summary.ts', 'src/runtime/model.ts', 'src/base/bytes.ts'),
    mod('capture/capture.ts', 'src/runtime/process.ts'),
    mod('analyze/main.ts', 'src/report/summary.ts', 'capture/capture.ts'),
    mod('test/support/samples.ts', 'src/memory/open-core.ts'),
    mod('bench/match-rate.ts', 'test/support/samples.ts', 'analyze/main.ts'),
    mod('test/runtime/x.test.ts', 'src/runtime/process.ts', 'test/support/samples.ts'),
    mod('test/analyze/main.test.ts', 'analyze/main.ts', 'capture/capture.ts'),
  ];
  const planted = (...extra: [string, string][]): string[] =>
    checkLayers(clean.map((m) => ({ path: m.path, imports: [...m.imports, ...extra.filter(([from]) => from === m.path).map(([, to]) => to)] })));

  it('the clean tree passes', () => {
    expect(checkLayers(clean)).toEqual([]);
  });

  it('a back-import (a lower layer importing a higher one)', () => {
    expect(planted(['src/base/bytes.ts', 'src/report/summary.ts'])).toContain('src/base/bytes.ts imports src/report/summary.ts (src/report is not below src/base)');
    expect(planted(['src/memory/open-core.ts', 'src/runtime/model.ts'])).toContain('src/memory/open-core.ts imports src/runtime/model.ts (src/runtime is not below src/memory)');
    expect(planted(['capture/capture.ts', 'analyze/main.ts'])).toContain('capture/capture.ts imports analyze/main.ts (analyze is not below capture)');
    expect(planted(['src/runtime/process.ts', 'test/support/samples.ts'])).toContain('src/runtime/process.ts imports test/support/samples.ts (test/support is not below src/runtime)');
    expect(planted(['analyze/main.ts', 'bench/match-rate.ts'])).toContain('analyze/main.ts imports bench/match-rate.ts (bench is not below analyze)');
  });

  it('a report reaching past runtime/model.ts, a decoder importing another, a test importing a test', () => {
    expect(planted(['src/report/summary.ts', 'src/runtime/target.ts'])).toContain('src/report/summary.ts reaches into src/runtime/target.ts; reports see only src/runtime/model.ts');
    expect(planted(['src/format/snapshot/writer.ts', 'src/format/elf/file.ts'])).toContain('src/format/snapshot/writer.ts imports another decoder src/format/elf/file.ts');
    expect(planted(['test/analyze/main.test.ts', 'test/runtime/x.test.ts'])).toContain('test/analyze/main.test.ts imports the test file test/runtime/x.test.ts');
  });

  it('a test of a src/ layer importing the command line', () => {
    expect(planted(['test/runtime/x.test.ts', 'analyze/main.ts'])).toContain(
      'test/runtime/x.test.ts imports analyze/main.ts: a test of src/runtime/ imports only src/ and test helpers',
    );
  });

  it('the filesystem in src/format/, directly or through another module', () => {
    for (const fsModule of ['node:fs', 'fs', 'fs/promises', 'node:fs/promises']) {
      expect(planted(['src/format/elf/file.ts', fsModule])).toContain(`src/format/elf/file.ts imports ${fsModule}: src/format/ never touches the filesystem`);
    }
    expect(planted(['src/base/bytes.ts', 'node:fs'])).toEqual([
      'src/format/elf/file.ts reaches the filesystem through src/base/bytes.ts → node:fs: src/format/ never touches the filesystem',
      'src/format/snapshot/writer.ts reaches the filesystem through src/base/bytes.ts → node:fs: src/format/ never touches the filesystem',
    ]);
  });

  it('an import cycle between modules', () => {
    expect(planted(['src/runtime/target.ts', 'src/runtime/process.ts'])).toContain(
      'import cycle: src/runtime/process.ts ↔ src/runtime/symbols/recover.ts ↔ src/runtime/target.ts',
    );
  });

  it('a cycle between folders without a cycle between modules (runtime ↔ runtime/symbols)', () => {
    const v = checkLayers([...clean, mod('src/runtime/symbols/exe-image.ts', 'src/format/elf/file.ts')].map((m) => (m.path === 'src/runtime/target.ts' ? mod(m.path, ...m.imports, 'src/runtime/symbols/exe-image.ts') : m)));
    expect(v).toEqual([
      'folder cycle: src/runtime/symbols/ → src/runtime/target.ts → src/runtime/symbols/ (src/runtime/symbols/recover.ts imports src/runtime/target.ts; src/runtime/target.ts imports src/runtime/symbols/exe-image.ts)',
    ]);
  });


  it('a module in no layer', () => {
    expect(checkLayers([...clean, mod('tools/x.ts')])).toEqual(['tools/x.ts is in no layer of docs/design.md']);
  });

  it('one back-import planted into the real tree is reported', () => {
    const real = readModules(REPO);
    const before = new Set(checkLayers(real));
    const withPlant = real.map((m) => (m.path === 'src/base/bytes.ts' ? { path: m.path, imports: [...m.imports, 'src/report/json.ts'] } : m));
    const added = checkLayers(withPlant).filter((v) => !before.has(v));
    expect(added).toContain('src/base/bytes.ts imports src/report/json.ts (src/report is not below src/base)');
  });
});

describe('reading imports from source files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-layers-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sees static, type-only, multi-line, re-export, side-effect and dynamic imports, not comments or strings', () => {
    const text = [
      "import * as fs from 'node:fs';",
      "import type { A } from './a.ts';",
      'import {',
      '  b,',
      '  c,',
      "} from '../runtime/b.ts';",
      "export { d } from './d.ts';",
      "import './side.ts';",
      "const m = await import('../report/e.ts');",
      "// import { x } from './commented.ts';",
      "const s = \"import y from './in-a-string.ts'\";",
    ].join('\n');
    expect(importsOf('src/memory/x.ts', text).sort()).toEqual(
      ['node:fs', 'src/memory/a.ts', 'src/runtime/b.ts', 'src/memory/d.ts', 'src/memory/side.ts', 'src/report/e.ts'].sort(),
    );
  });

  it('a planted back-import in a synthetic tree on disk fails the check', () => {
    const files: Record<string, string> = {
      'src/base/bytes.ts': 'export const u8 = 1;\n',
      'src/format/elf/file.ts': "import { u8 } from '../../base/bytes.ts';\nexport const f = u8;\n",
      // the plant: a decoder importing the runtime, lazily and over two lines
      'src/format/gosym/table.ts': "export async function t() {\n  const { g } = await import(\n    '../../runtime/goroutines.ts');\n  return g;\n}\n",
      'src/runtime/goroutines.ts': "import { f } from '../format/elf/file.ts';\nexport const g = f;\n",
      'analyze/main.ts': "import { g } from '../src/runtime/goroutines.ts';\nconsole.log(g);\n",
    };
    for (const [p, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), text);
    }
    const modules = readModules(dir);
    expect(modules.map((m) => m.path)).toEqual(Object.keys(files).sort());
    // The back-import, and the loop it closes between the two folders (seen from each).
    expect(checkLayers(modules)).toEqual([
      'src/format/gosym/table.ts imports src/runtime/goroutines.ts (src/runtime is not below src/format)',
      'folder cycle: src/format/ → src/runtime/ → src/format/ (src/format/gosym/table.ts imports src/runtime/goroutines.ts; src/runtime/goroutines.ts imports src/format/elf/file.ts)',
      'folder cycle: src/runtime/ → src/format/ → src/runtime/ (src/runtime/goroutines.ts imports src/format/elf/file.ts; src/format/gosym/table.ts imports src/runtime/goroutines.ts)',
    ]);
  });
});
