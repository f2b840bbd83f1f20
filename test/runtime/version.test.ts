import { describe, expect, it } from 'vitest';
import { atLeast, compareGoVersion, formatGoVersion, parseGoVersion, type GoVersion } from '../../src/runtime/version.ts';

describe('parseGoVersion', () => {
  const rows: [string, Omit<GoVersion, 'raw'> | undefined][] = [
    ['go1.21.13', { major: 1, minor: 21, patch: 13, pre: undefined, devel: false, experiments: [] }],
    ['go1.21', { major: 1, minor: 21, patch: 0, pre: undefined, devel: false, experiments: [] }],
    ['go1.21.0', { major: 1, minor: 21, patch: 0, pre: undefined, devel: false, experiments: [] }],
    ['go1.22rc1', { major: 1, minor: 22, patch: 0, pre: 'rc1', devel: false, experiments: [] }],
    ['go1.22beta2', { major: 1, minor: 22, patch: 0, pre: 'beta2', devel: false, experiments: [] }],
    ['devel go1.23-abc123 Tue Jan 2 15:04:05 2024 +0000', { major: 1, minor: 23, patch: 0, pre: undefined, devel: true, experiments: [] }],
    ['devel go1.24-8b6f3b2 Mon Nov 4 2024 X:rangefunc,aliastypeparams', { major: 1, minor: 24, patch: 0, pre: undefined, devel: true, experiments: ['rangefunc', 'aliastypeparams'] }],
    ['go1.21.0 X:boringcrypto', { major: 1, minor: 21, patch: 0, pre: undefined, devel: false, experiments: ['boringcrypto'] }],
    ['go1.27.3 X:nodwarf5', { major: 1, minor: 27, patch: 3, pre: undefined, devel: false, experiments: ['nodwarf5'] }],
    ['Go cmd/compile go1.21.13; regabi', { major: 1, minor: 21, patch: 13, pre: undefined, devel: false, experiments: [] }],
    ['Go cmd/compile go1.15.15', { major: 1, minor: 15, patch: 15, pre: undefined, devel: false, experiments: [] }],
    ['Go cmd/compile go1.25rc2 X:nodwarf5; regabi', { major: 1, minor: 25, patch: 0, pre: 'rc2', devel: false, experiments: ['nodwarf5'] }],
    ['devel +b7a85e0003 Tue Jan 1 2019', undefined],
    ['go', undefined],
    ['', undefined],
    ['GNU C17 12.2.0', undefined],
    ['go1.x', undefined],
  ];
  it.each(rows)('%j', (s, want) => {
    const v = parseGoVersion(s);
    if (want === undefined) expect(v).toBeUndefined();
    else expect(v).toEqual({ raw: s, ...want });
  });
});

describe('compareGoVersion and atLeast', () => {
  const v = (s: string) => parseGoVersion(s)!;
  it('orders devel < beta < rc < release < patch', () => {
    const order = ['go1.20.14', 'devel go1.21-abc Mon', 'go1.21beta1', 'go1.21rc2', 'go1.21rc3', 'go1.21.0', 'go1.21.1', 'go1.21.13', 'go1.22.0'];
    const sorted = [...order].reverse().sort((a, b) => compareGoVersion(v(a), v(b)));
    expect(sorted).toEqual(order);
    expect(compareGoVersion(v('go1.21'), v('go1.21.0'))).toBe(0);
  });
  it('atLeast compares the minor version', () => {
    expect(atLeast(v('go1.21.13'), 21)).toBe(true);
    expect(atLeast(v('go1.21rc1'), 21)).toBe(true);
    expect(atLeast(v('devel go1.23-abc'), 23)).toBe(true);
    expect(atLeast(v('go1.20.14'), 21)).toBe(false);
  });
  it('formats a canonical short form', () => {
    expect(['go1.21.13', 'go1.22rc1', 'go1.21.0', 'devel go1.23-abc x'].map((s) => formatGoVersion(v(s)))).toEqual(['go1.21.13', 'go1.22rc1', 'go1.21', 'devel go1.23']);
  });
});
