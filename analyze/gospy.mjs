#!/usr/bin/env node
// Entry point. Plain JavaScript on purpose: it must run on any Node to say clearly which Node gospy
// needs, before the rest is loaded. In a clone it loads the TypeScript sources (Node's type
// stripping); the npm package runs the built copy, dist/gospy.mjs (build/build.ts), in which the
// import below names the bundled chunk instead.
const [major, minor] = process.versions.node.split('.').map(Number);
const ok = major > 24 || (major === 24 && minor >= 12) || (major === 22 && minor >= 20);
if (!ok) {
  process.stderr.write(
    `gospy: needs Node.js ^22.20, ^24.12 or >=25 (this is ${process.versions.node})\n` +
      'hint: run it with Node 24 from the npm registry: `npx -y -p node@24 -- gospy …`; in a clone, ' +
      'install with `npx -y -p node@24 -- npm ci`, then `npm run gospy -- …`\n',
  );
  process.exit(3);
}
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
