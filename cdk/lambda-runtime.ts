/**
 * How Lambda starts a Node.js function, for the sync function's settings and for the benchmark that
 * measures its memory with them (tools/bench.ts): the same heap flags, the same memory size.
 */

/** The sync function's memory (MB); Lambda gives CPU in proportion (one vCPU at 1,769 MB). */
export const SYNC_MEMORY_MB = 1024;

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

/** NODE_OPTIONS of the sync function (none: the runtime's heap flags above decide). */
export const SYNC_NODE_OPTIONS = '';
