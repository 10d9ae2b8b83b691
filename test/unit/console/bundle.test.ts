/**
 * The console's build (console/vite.config.ts), inspected without writing it: the browser gets no Node-only
 * module, the AWS SDK is loaded only in AWS mode, and the build holds no config.json (the local stack serves
 * one, a deployment writes its own).
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';

const CONFIG = fileURLToPath(new URL('../../../console/vite.config.ts', import.meta.url));

/** Packages that only run in Node: their presence would mean a Node code path was bundled for the browser. */
const NODE_ONLY = [
  '@smithy/hash-node',
  '@aws-sdk/credential-provider-node',
  '@smithy/node-http-handler',
  '@smithy/node-config-provider',
  '@smithy/shared-ini-file-loader',
  '@aws-sdk/credential-provider-ini',
];

// At load, once: the build takes about a second.
const result = await build({ configFile: CONFIG, logLevel: 'silent', build: { write: false } });
const output = (Array.isArray(result) ? result : [result]).flatMap(
  (out) => (out as Rolldown.RolldownOutput).output,
);
const chunks = output.filter((item): item is Rolldown.OutputChunk => item.type === 'chunk');

/** The npm packages a chunk's modules come from. */
const packagesOf = (chunk: Rolldown.OutputChunk): Set<string> =>
  new Set(
    chunk.moduleIds.flatMap((id) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id);
      return match?.[1] ? [match[1]] : [];
    }),
  );

describe('the console build', () => {
  it('bundles no Node-only package and no Node built-in', () => {
    const everything = chunks.flatMap((chunk) => [...packagesOf(chunk)]);
    expect(everything).toContain('@smithy/signature-v4');
    expect(everything).toContain('@aws-crypto/sha256-js');
    for (const name of NODE_ONLY) expect(everything, name).not.toContain(name);
    const ids = chunks.flatMap((chunk) => chunk.moduleIds);
    // Vite stands in `__vite-browser-external` for a Node built-in a browser module imports.
    expect(ids.filter((id) => id.startsWith('node:') || id.includes('browser-external'))).toEqual([]);
  });

  it('keeps the AWS SDK out of the entry: the local mode never downloads it', () => {
    const entry = chunks.find((chunk) => chunk.isEntry) as Rolldown.OutputChunk;
    const inEntry = packagesOf(entry);
    expect([...inEntry].filter((name) => name.startsWith('@aws-') || name.startsWith('@smithy/'))).toEqual(
      [],
    );
    expect(entry.dynamicImports.length).toBeGreaterThan(0);
    // Sizes (minified, not compressed): generous bounds that catch a dependency pulled in by mistake.
    expect(entry.code.length).toBeLessThan(120_000);
    const total = chunks.reduce((sum, chunk) => sum + chunk.code.length, 0);
    expect(total).toBeLessThan(400_000);
  });

  it('holds no config.json of its own', () => {
    expect(output.map((item) => item.fileName)).not.toContain('config.json');
    expect(output.map((item) => item.fileName)).toContain('index.html');
  });
});
