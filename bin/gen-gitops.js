#!/usr/bin/env node
import { main } from '../dist/generator/cli.js';
// `gen-gitops ... | head` closes the pipe early: the rest of the output is dropped, but the
// result still decides the exit code (`--check | head -1` must still exit 3 when out of date).
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') process.exit(1);
});
process.exitCode = await main(process.argv.slice(2));
