/**
 * Bundles every function with the options the CDK stack deploys them with and reports the sizes
 * (`npm run bundle-sizes`). Exits 1 when a bundle reaches the 1 MB budget.
 */
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { BUNDLING } from '../cdk/ad-sync-function';
import { type FunctionName, functionNames } from '../shared/api/routes';

export const BUDGET_BYTES = 1024 * 1024;

/** esbuild's options for a function's bundle, as the CDK stack deploys it (also the benchmark's sync process). */
export const DEPLOYED_BUILD = {
  bundle: true,
  platform: 'node',
  target: BUNDLING.target,
  format: BUNDLING.format,
  minify: BUNDLING.minify,
  keepNames: BUNDLING.keepNames,
  external: [...BUNDLING.externalModules],
  logLevel: 'silent',
} as const satisfies BuildOptions;

export async function measureBundles(): Promise<
  {
    name: FunctionName;
    bytes: number;
    packages: ReadonlySet<string>;
    /** The packages the bundle imports from the Lambda runtime instead (BUNDLING.externalModules). */
    runtimePackages: ReadonlySet<string>;
  }[]
> {
  return Promise.all(
    functionNames.map(async (name) => {
      const result = await build({
        ...DEPLOYED_BUILD,
        entryPoints: [fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url))],
        write: false,
        metafile: true,
      });
      // The npm packages the bundle carries (by their folder under node_modules).
      const packages = new Set(
        Object.keys(result.metafile.inputs).flatMap((input) => {
          const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
          return match?.[1] ? [match[1]] : [];
        }),
      );
      const runtimePackages = new Set(
        Object.values(result.metafile.outputs).flatMap((output) =>
          output.imports
            .filter(({ path, external }) => external && !isBuiltin(path))
            .flatMap(({ path }) => /^(?:@[^/]+\/)?[^/]+/.exec(path)?.[0] ?? []),
        ),
      );
      return {
        name,
        bytes: result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0),
        packages,
        runtimePackages,
      };
    }),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await measureBundles();
  for (const { name, bytes } of sizes) {
    process.stdout.write(
      `${name.padEnd(14)} ${(bytes / 1024).toFixed(1).padStart(8)} KB${bytes >= BUDGET_BYTES ? '  over the 1 MB budget' : ''}\n`,
    );
  }
  process.exitCode = sizes.some((s) => s.bytes >= BUDGET_BYTES) ? 1 : 0;
}
