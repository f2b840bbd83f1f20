/**
 * Runs inside the single executable (build/sea.ts): native addons travel as SEA assets and are
 * written, once per content, to a 0700 cache dir, then loaded with process.dlopen (a SEA's own
 * `require` reaches only Node's built-in modules).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getRawAsset } from 'node:sea';

export function loadSeaAddon(asset: string): unknown {
  const bytes = new Uint8Array(getRawAsset(asset));
  const base = process.env['GOSPY_CACHE'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'gospy');
  const dir = path.join(base, 'native');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}-${asset}`);
  if (!fs.existsSync(file) || fs.statSync(file).size !== bytes.length) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  const mod = { exports: {} as unknown };
  process.dlopen(mod, file);
  return mod.exports;
}
