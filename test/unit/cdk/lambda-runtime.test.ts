/**
 * The sync function's heap wrapper (functions/heap-limits.sh), run as Lambda runs it: given node and the
 * arguments the Node.js runtime's bootstrap passes for the function's memory, then the runtime's script.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEAP_WRAPPER,
  lambdaNodeArguments,
  SYNC_MEMORY_MB,
  SYNC_SEMI_SPACE_MB,
} from '../../../cdk/lambda-runtime';

const run = promisify(execFile);
let folder: string;
/** Stands in for /var/runtime/index.mjs: prints the flags node got and the heap limit they made. */
let script: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ad-sync-heap-'));
  script = join(folder, 'index.mjs');
  await writeFile(
    script,
    "import v8 from 'node:v8';\nconsole.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2), limit: v8.getHeapStatistics().heap_size_limit }));\n",
  );
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const heapOf = async (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  JSON.parse((await run(command, args, { env })).stdout) as {
    execArgv: string[];
    argv: string[];
    limit: number;
  };

describe('the heap wrapper', () => {
  it('passes the runtime the arguments its bootstrap gives a function of this memory', () => {
    expect(lambdaNodeArguments(1024)).toEqual([
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--max-semi-space-size=51',
      '--max-old-space-size=922',
    ]);
  });

  it("limits the young generation after the runtime's own flags, and changes nothing else", async () => {
    const runtime = [process.execPath, ...lambdaNodeArguments(SYNC_MEMORY_MB), script];
    const bare = await heapOf(runtime[0] as string, runtime.slice(1));
    const wrapped = await heapOf('bash', [HEAP_WRAPPER.file, ...runtime], {
      ...process.env,
      ADSYNC_SEMI_SPACE_MB: String(SYNC_SEMI_SPACE_MB),
    });
    expect(wrapped.execArgv).toEqual([
      ...lambdaNodeArguments(SYNC_MEMORY_MB),
      `--max-semi-space-size=${SYNC_SEMI_SPACE_MB}`,
    ]);
    expect(wrapped.argv).toEqual([]);
    // The same old generation; three semi-spaces fewer megabytes.
    const direct = await heapOf(process.execPath, [
      `--max-semi-space-size=${SYNC_SEMI_SPACE_MB}`,
      `--max-old-space-size=${SYNC_MEMORY_MB - Math.floor(SYNC_MEMORY_MB / 10)}`,
      script,
    ]);
    expect(wrapped.limit).toBe(direct.limit);
    expect(wrapped.limit).toBeLessThan(bare.limit);
  });

  it('refuses to start the runtime without its limit, rather than start it unlimited', async () => {
    const { ADSYNC_SEMI_SPACE_MB: _unset, ...environment } = process.env;
    await expect(
      run('bash', [HEAP_WRAPPER.file, process.execPath, script], { env: environment }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ADSYNC_SEMI_SPACE_MB') });
  });
});
