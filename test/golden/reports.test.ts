/**
 * End-to-end goldens for the summary, top and JSON reports: `gospy analyze` (the real CLI, a child
 * process) on real sample cores — Go 1.27 static (also --all and top JSON), Go 1.15 PIE stripped,
 * Go 1.21 cgo, Go 1.19 arm64, and the 10,500-goroutine `many` core for top — must print exactly
 * test/golden/reports/<case>.txt|.json. The goldens were checked against the runtime's own dumps of
 * each sample (crash.txt: ids, statuses, wait reasons and minutes, locations, frames, creators)
 * when they were made; this test guards them. Cases and regeneration: test/support/report-goldens.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/samples.ts';
import { GOLDEN_DIR, REPORT_CASES, goldenPath, runCase } from '../support/report-goldens.ts';

describe('summary, top and JSON reports equal their checked goldens', () => {
  it('every case has its golden and every golden its case', () => {
    expect(REPORT_CASES.length).toBeGreaterThanOrEqual(15);
    expect(fs.readdirSync(GOLDEN_DIR).sort()).toEqual(REPORT_CASES.map((c) => path.basename(goldenPath(c))).sort());
  });

  it.each(REPORT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const want = fs.readFileSync(goldenPath(c), 'utf8');
    const got = await runCase(c);
    expect(got.code, got.stderr).toBe(0);
    if (c.ext === 'json') {
      const doc = JSON.parse(got.stdout) as { schema: string; input: { path: string } };
      expect(doc.schema).toBe('gospy.analyze/v1');
      expect(fs.existsSync(path.join(REPO, doc.input.path)), 'input.path is repository-relative').toBe(true);
    }
    expect(got.stdout, `differs from ${path.relative(REPO, goldenPath(c))}; if the change is right (checked against the sample's crash.txt), regenerate with: node_modules/.bin/node test/support/report-goldens.ts --update ${c.name}`).toBe(want);
  });
});
