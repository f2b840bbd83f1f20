#!/usr/bin/env node
// Entry point. Plain JavaScript on purpose: it must run on any Node to say clearly which Node gospy
// needs, before the TypeScript sources (run through Node's type stripping) are loaded.
const [major, minor] = process.versions.node.split('.').map(Number);
const ok = major > 24 || (major === 24 && minor >= 12) || (major === 22 && minor >= 20);
if (!ok) {
  process.stderr.write(
    `gospy: needs Node.js ^22.20, ^24.12 or >=25 (this is ${process.versions.node})\n` +
      'hint: install the dependencies with `npx -y -p node@24 -- npm ci`, then run `npx gospy …` from the project folder\n',
  );
  process.exit(3);
}
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
