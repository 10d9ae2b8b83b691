/**
 * The admin console as the stack deploys it: built with Vite (console/vite.config.ts) while the stack is
 * synthesized, as the functions are bundled with esbuild, so a deploy never ships a missing or stale
 * `console/dist`. Synthesis without bundling (the CDK tests, `aws:cdk:bundling-stacks`) skips the build.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';

const CONSOLE_DIR = fileURLToPath(new URL('../console', import.meta.url));

/**
 * Builds the console into `outputDir` (index.html and its hashed assets). Throws with Vite's output when
 * the build fails.
 */
export function buildConsole(outputDir: string): void {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      join(CONSOLE_DIR, 'vite.config.ts'),
      '--outDir',
      outputDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: CONSOLE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `the admin console could not be built (vite build): ${result.error?.message ?? ''}${result.stderr}${result.stdout}`,
    );
  }
}

/** The built console as a BucketDeployment source; its asset hash is the build's, not the sources'. */
export function consoleSource(): ISource {
  return Source.asset(CONSOLE_DIR, {
    // The build also takes in shared/ (the API client): only its output says whether it changed.
    assetHashType: AssetHashType.OUTPUT,
    exclude: ['dist', 'dist.building-*'],
    bundling: {
      // Never pulled: the local build either succeeds or throws, so CDK never falls back to Docker.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildConsole(outputDir);
          return true;
        },
      },
    },
  });
}
