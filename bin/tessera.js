#!/usr/bin/env node
// The `tessera` command. Runs the TypeScript sources directly with Node 24's type stripping.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `tessera needs Node.js 24 or newer (this is ${process.versions.node}). ` +
      "Run it through npm (npx tessera …, npm run serve), which puts the project's Node 24 first on the PATH.\n",
  );
  process.exit(2);
}
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
