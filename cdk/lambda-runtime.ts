/**
 * How Lambda starts a Node.js function, for the sync function's settings and for the benchmark that
 * measures its memory with them (tools/bench.ts): the same heap flags, the same memory size, the same
 * wrapper.
 */
import { fileURLToPath } from 'node:url';

/** The sync function's memory (MB); Lambda gives CPU in proportion (one vCPU at 1,769 MB). */
export const SYNC_MEMORY_MB = 1024;

/**
 * The young generation's limit (one semi-space, MB) the sync function runs with. The runtime's own would be
 * a twentieth of the memory (51 MB at 1,024 MB), and a sync's fast allocation grows the young generation to
 * three times that; 16 MB keeps a 100,000-user sync within 256 MB (docs/performance.md).
 */
export const SYNC_SEMI_SPACE_MB = 16;

/** Where Lambda finds the wrapper: the package is unpacked in /var/task. */
const WRAPPER_PATH = '/var/task/heap-limits.sh';

/** The wrapper that applies it (AWS_LAMBDA_EXEC_WRAPPER), shipped in the sync function's package. */
export const HEAP_WRAPPER = {
  file: fileURLToPath(new URL('../functions/heap-limits.sh', import.meta.url)),
  path: WRAPPER_PATH,
  environment: {
    AWS_LAMBDA_EXEC_WRAPPER: WRAPPER_PATH,
    ADSYNC_SEMI_SPACE_MB: String(SYNC_SEMI_SPACE_MB),
  },
} as const;

/**
 * The arguments the Node.js runtime's bootstrap (/var/runtime/bootstrap) passes to node for a function of
 * this memory: a tenth of it for the young generation (two semi-spaces), the rest for the old one. They come
 * after NODE_OPTIONS on the command line, so they win over the same flags there.
 */
export function lambdaNodeArguments(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size',
    '81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}
