/** The local stack as a user runs it: `adsync serve` in a child process, and the `adsync` CLI. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../local/dynamodb-local';

const BIN = fileURLToPath(new URL('../../bin/adsync.js', import.meta.url));
const run = promisify(execFile);

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Ctrl-C, and wait until the process has exited. */
  stop(): Promise<number | null>;
}

/**
 * `adsync serve` on `env`'s port. A port picked free (freePort) may be taken by another process (a lane's
 * DynamoDB Local, say) before `adsync serve` binds it: then again on another, written back into `env`, which
 * the caller's CLI calls share.
 */
export async function startServe(env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServeOnce(env);
    } catch (error) {
      if (attempt >= 3 || env.ADSYNC_PORT === undefined || !String(error).includes('EADDRINUSE')) throw error;
      env.ADSYNC_PORT = String(await freePort());
    }
  }
}

async function startServeOnce(env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`adsync serve did not start:\n${output}`)), 60_000);
    child.stderr?.on('data', (chunk) => {
      output += chunk;
      const match = /local stack on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`adsync serve exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    child,
    output: () => output,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs `adsync <args>`; resolves with the exit code and output instead of throwing on a non-zero exit. */
export async function adsync(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
