/**
 * The user docs say what the code does: README's Usage names every command, docs/json.md's size
 * figure and provenance example are what gospy writes for the committed samples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../analyze/commands/index.ts';
import { formatJson } from '../../src/report/json.ts';
import { openModel } from '../../src/runtime/open-model.ts';
import { listSampleBuilds, REPO, samplePath } from '../support/samples.ts';

const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const jsonDoc = fs.readFileSync(path.join(REPO, 'docs', 'json.md'), 'utf8');
const sample = (program: string) => listSampleBuilds().find((b) => b.program === program && b.go === 'go1.27' && b.variant === 'static')!;

describe('README Usage', () => {
  const usage = readme.slice(readme.indexOf('## Usage'), readme.indexOf('\n## ', readme.indexOf('## Usage') + 1));
  it('shows every command, completion and --version', () => {
    for (const name of [...commands.map((c) => c.name), 'completion']) expect(usage).toMatch(new RegExp(`^gospy ${name} `, 'm'));
    expect(usage).toMatch(/^gospy --version/m);
  });
});

describe('docs/json.md', () => {
  it("the example's provenance is what gospy writes for a static go1.27 binary with DWARF", async () => {
    const b = sample('states');
    const model = await openModel(await samplePath(b, 'core'), { exe: await samplePath(b, 'exe') });
    const example = /"provenance":(\{[^}]*\})/.exec(jsonDoc);
    expect(example).not.toBeNull();
    expect(JSON.parse(example![1]!)).toEqual(model.provenance);
  });

  it('the bytes per goroutine it states are measured on the many sample', async () => {
    const b = sample('many');
    const model = await openModel(await samplePath(b, 'core'), { exe: await samplePath(b, 'exe') });
    let bytes = 0;
    for (const chunk of formatJson(model, { report: 'stacks', all: false })) bytes += Buffer.byteLength(chunk);
    const doc = /([\d,]+) bytes per goroutine for\s+the ([\d,]+) goroutines of the `many` sample \(go1\.27/.exec(jsonDoc);
    expect(doc).not.toBeNull();
    const [perGoroutine, count] = [Number(doc![1]!.replace(/,/g, '')), Number(doc![2]!.replace(/,/g, ''))];
    const shown = model.goroutines.filter((g) => !g.system).length;
    expect(shown).toBe(count);
    // The header names the input paths, which differ between machines: within 1%.
    expect(Math.abs(bytes / shown - perGoroutine) / perGoroutine).toBeLessThan(0.01);
  });
});
