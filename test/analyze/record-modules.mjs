// Preload (`node --import`) for test/analyze/lazy-loading.test.ts and the start-up figures in
// docs/performance.md: records the URL of every module Node loads (ESM and CommonJS, through the
// synchronous module hooks) and writes them, one per line, to $GOSPY_MODULES_OUT at exit.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  const out = process.env.GOSPY_MODULES_OUT;
  if (out) writeFileSync(out, [...loaded].map((u) => `${u}\n`).join(''));
});
