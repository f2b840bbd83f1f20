/**
 * pprof labels of a goroutine (`g.labels`). Go 1.24+ stores a `labelMap{LabelSet{list []label}}`
 * (`src/runtime/pprof/label.go`; 1.26+ `internal/runtime/pprof/label.Set`), a slice of {key, value}
 * strings. Go ≤1.23 stores a `map[string]string`, read here as a classic hmap
 * (`src/runtime/map.go`: buckets of 8 tophash bytes, 8 keys, 8 values, overflow pointer).
 */
import { UnmappedAddressError } from '../base/errors.ts';
import type { WarningSink } from '../base/warnings.ts';
import type { Mem } from './mem.ts';
import { runtimeData } from './layouts/runtime-data.ts';

const MAX_LABELS = 1000;

/**
 * The labels at `ptr`, or undefined when there are none. Labels that point at memory the input does
 * not hold (a core without that page) are left out with a warning, not an error: the rest of the
 * goroutine is still worth reporting. `warnings` is absent only for capture's planning walk, which
 * reads labels to learn which pages to copy.
 */
export function readLabels(mem: Mem, ptr: number, minor: number, warnings?: WarningSink): Record<string, string> | undefined {
  if (ptr === 0) return undefined;
  try {
    return runtimeData(minor).labels === 'list' ? readLabelList(mem, ptr) : readLabelHmap(mem, ptr);
  } catch (e) {
    if (!(e instanceof UnmappedAddressError)) throw e;
    warnings?.add('labels-unreadable', "some goroutines' pprof labels point at memory the input does not hold; their labels are left out");
    return undefined;
  }
}

function readLabelList(mem: Mem, ptr: number): Record<string, string> {
  const list = mem.ptr(ptr, 'labels');
  const n = Math.min(mem.u64(ptr + 8, 'labels'), MAX_LABELS);
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[mem.goString(list + i * 32, 'label key')] = mem.goString(list + i * 32 + 16, 'label value');
  return out;
}

const MIN_TOP_HASH = 5;
const BUCKET_SIZE = 8 + 8 * 16 + 8 * 16 + 8;

function readLabelHmap(mem: Mem, labelMap: number): Record<string, string> {
  // g.labels points at a labelMap variable, which holds the map: a pointer to the hmap.
  const h = mem.ptr(labelMap, 'labels map');
  if (h === 0) return {};
  const count = mem.u64(h, 'labels hmap');
  const B = mem.u8(h + 9, 'labels hmap');
  const buckets = mem.ptr(h + 16, 'labels hmap');
  const out: Record<string, string> = {};
  if (count === 0 || buckets === 0 || B > 16) return out;
  let found = 0;
  for (let i = 0; i < 1 << B && found < count && found < MAX_LABELS; i++) {
    let b = buckets + i * BUCKET_SIZE;
    for (let hops = 0; b !== 0 && hops < 64; hops++) {
      const top = mem.raw.read(b, 8, 'labels bucket');
      for (let j = 0; j < 8; j++) {
        if (top[j]! < MIN_TOP_HASH) continue;
        out[mem.goString(b + 8 + j * 16, 'label key')] = mem.goString(b + 8 + 128 + j * 16, 'label value');
        found++;
      }
      b = mem.ptr(b + BUCKET_SIZE - 8, 'labels bucket');
    }
  }
  return out;
}
