// The entry of the built command (dist/electron/tessera.cjs): runs the CLI with this process's
// arguments. bin/tessera.js does the same from the sources.
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
