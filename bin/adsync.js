#!/usr/bin/env node
// The `adsync` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/adsync.ts');
process.exitCode = await main(process.argv.slice(2));
