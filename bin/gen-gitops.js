#!/usr/bin/env node
import { main } from '../dist/generator/cli.js';
// `gen-gitops ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
process.exitCode = await main(process.argv.slice(2));
