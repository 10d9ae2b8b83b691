#!/usr/bin/env node
// The `adsync` command: runs the TypeScript CLI through tsx's loader, on Node.js 24. npm scripts and `npx`
// find the Node 24 pinned as the devDependency `node` first on their PATH; started by an older Node (`node
// bin/adsync.js` with the machine's Node 20), this file starts itself again under the pinned one. So
// package.json's `engines` asks only for what this file and npm need, and npm has nothing to warn about.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) >= REQUIRED_MAJOR) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/adsync.ts');
  process.exitCode = await main(process.argv.slice(2));
} else {
  runUnderPinnedNode();
}

/** Where the devDependency `node` puts its binary, or undefined when it is not installed. */
function pinnedNode() {
  try {
    const binary = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs this file again under the pinned Node, with the same arguments and the same terminal (inherited stdio,
 * so prompts without echo keep working), and ends as it ends: its exit code, or the signal that ended it.
 */
function runUnderPinnedNode() {
  const node = pinnedNode();
  // The environment variable stops a loop should the pinned Node be older than it should.
  if (!node || process.env.ADSYNC_REEXECUTED) {
    process.stderr.write(
      `adsync needs Node.js ${REQUIRED_MAJOR} or later, and this is Node.js ${process.versions.node}. ` +
        `Run npm ci in ${fileURLToPath(new URL('..', import.meta.url))} (its devDependency node is Node.js ${REQUIRED_MAJOR}), ` +
        `or run adsync with Node.js ${REQUIRED_MAJOR}.\n`,
    );
    process.exit(1);
  }
  const child = spawn(node, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ADSYNC_REEXECUTED: '1' },
  });
  // A terminal sends Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT) to its whole foreground process group, the CLI
  // included: passing them on would deliver them twice, and a second SIGINT stops `adsync serve` before it has
  // stopped its stack. Sent to this process alone (no terminal), they are passed on like the others.
  const fromTerminal = new Set(process.stdin.isTTY ? ['SIGINT', 'SIGQUIT'] : []);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const relay = (signal) => {
    if (!fromTerminal.has(signal)) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, relay);
  child.on('error', (error) => {
    process.stderr.write(`adsync: cannot start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const name of signals) process.off(name, relay);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
