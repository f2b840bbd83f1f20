/**
 * Commands load what they use (issue 9 item 6): `gospy --help`, `--version` and `gospy analyze` never
 * load capture/ (ptrace) nor koffi; help loads neither the analyzer nor the reports. Measured on the
 * real command with a module-load hook (test/analyze/record-modules.mjs); the live command that does
 * capture shows the hook sees capture/ and koffi when they are loaded.
 */
import { describe, expect, it } from 'vitest';
import { listSampleBuilds, samplePath } from '../support/samples.ts';
import { findSample, useGoSample } from '../support/live-target.ts';
import { runRecorded } from './loaded-modules.ts';

const small = listSampleBuilds().find((b) => b.program === 'states' && b.go === 'go1.27' && b.variant === 'static')!;

describe('commands load what they use', () => {
  it('gospy --help: no capture/, no koffi, no analyzer, no reports', () => {
    const r = runRecorded(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('gospy analyze <file>');
    expect(r.repoFiles.filter((f) => f.startsWith('capture/') || f.startsWith('src/runtime/') || f.startsWith('src/report/'))).toEqual([]);
    expect(r.packages.has('koffi')).toBe(false);
    expect(r.packages.has('yargs')).toBe(true);
  });

  it('gospy analyze --help and --version: no capture/, no koffi', () => {
    for (const args of [['analyze', '--help'], ['--version']]) {
      const r = runRecorded(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.repoFiles.filter((f) => f.startsWith('capture/')), args.join(' ')).toEqual([]);
      expect(r.packages.has('koffi'), args.join(' ')).toBe(false);
    }
  });

  it('gospy analyze on a sample core: the analyzer and reports, no capture/, no koffi', async () => {
    const r = runRecorded(['analyze', await samplePath(small, 'core'), '--exe', await samplePath(small, 'exe')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^goroutines: \d+/m);
    expect(r.repoFiles).toContain('src/runtime/open-model.ts');
    expect(r.repoFiles).toContain('src/report/summary.ts');
    expect(r.repoFiles.filter((f) => f.startsWith('capture/'))).toEqual([]);
    expect(r.packages.has('koffi')).toBe(false);
  });

  describe('a live command does load them (the hook sees what is loaded)', () => {
    const target = useGoSample(findSample('states', 'go1.27', 'static'));
    it('gospy summary --pid N: capture/ptrace.ts and koffi', () => {
      const r = runRecorded(['summary', '--pid', String(target.pid)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.repoFiles).toContain('capture/ptrace.ts');
      expect(r.packages.has('koffi')).toBe(true);
    });
  });
});
