/**
 * The layer rule of docs/design.md, checked on the import statements of every source file:
 * base ← format ← memory ← runtime ← report ← analyze. report sees the runtime only through
 * runtime/model.ts; a format decoder never imports another format's decoder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/samples.ts';

const ORDER = ['base', 'format', 'memory', 'runtime', 'report'] as const;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(['"]([^'"]+)['"]\)/g)]
    .map((m) => m[1]!)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
}

describe('architecture', () => {
  const src = path.join(REPO, 'src');
  const files = sourceFiles(src);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('each layer imports only from the layers before it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = path.relative(src, file).split(path.sep);
      const layer = ORDER.indexOf(rel[0] as (typeof ORDER)[number]);
      for (const target of imports(file)) {
        const trel = path.relative(src, target).split(path.sep);
        if (trel[0] === '..') {
          violations.push(`${path.relative(REPO, file)} imports outside src/: ${path.relative(REPO, target)}`);
          continue;
        }
        const tlayer = ORDER.indexOf(trel[0] as (typeof ORDER)[number]);
        if (tlayer > layer) violations.push(`${path.relative(REPO, file)} imports ${path.relative(REPO, target)} (a later layer)`);
        if (rel[0] === 'report' && trel[0] === 'runtime' && trel.join('/') !== 'runtime/model.ts') {
          violations.push(`${path.relative(REPO, file)} reaches into ${path.relative(REPO, target)}; reports see only runtime/model.ts`);
        }
        if (rel[0] === 'format' && trel[0] === 'format' && trel[1] !== rel[1]) {
          violations.push(`${path.relative(REPO, file)} imports another decoder ${path.relative(REPO, target)}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('src/ never prints or exits', () => {
    const offenders = files.filter((f) => /\bconsole\.|process\.exit|process\.stdout|process\.stderr/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(REPO, f))).toEqual([]);
  });
});
