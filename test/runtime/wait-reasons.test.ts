/**
 * The built-in wait-reason tables (used when a binary's runtime.waitReasonStrings cannot be read,
 * e.g. stripped binaries) must equal the array in every sample binary that has a symbol table.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferSource, u64, utf8 } from '../../src/base/bytes.ts';
import { ElfFile } from '../../src/format/elf/file.ts';
import { waitReasonTable } from '../../src/runtime/layouts/wait-reasons.ts';
import { listSampleBuilds, sampleName, samplePath } from '../support/samples.ts';

const withSymbols = listSampleBuilds().filter((b) => !b.variant.includes('stripped') && b.program === 'states');

function waitReasonStrings(elf: ElfFile): string[] {
  const sym = elf.symbols().get('runtime.waitReasonStrings');
  if (!sym) throw new Error('no runtime.waitReasonStrings symbol');
  const arr = elf.readVirtual(sym.value, sym.size)!;
  const out: string[] = [];
  for (let i = 0; i < sym.size / 16; i++) {
    const ptr = u64(arr, i * 16);
    const len = u64(arr, i * 16 + 8);
    out.push(len === 0 ? '' : utf8(elf.readVirtual(ptr, len)!));
  }
  return out;
}

describe('wait reason tables equal the binaries own runtime.waitReasonStrings', () => {
  // Listed, never silently empty: every Go release of the samples has an unstripped states build.
  it('has unstripped states samples of every Go release', () => {
    expect(new Set(withSymbols.map((b) => b.go)).size).toBeGreaterThanOrEqual(8);
  });
  it.each(withSymbols.map((b) => [sampleName(b), b] as const))('%s', async (_n, b) => {
    const path = await samplePath(b, 'exe');
    const elf = ElfFile.parse(new BufferSource(fs.readFileSync(path), path));
    expect(waitReasonTable(Number(b.go.split('.')[1]))).toEqual(waitReasonStrings(elf));
  });
});
