/**
 * The admin console's build: a static single-page app in `console/dist`, served by the local stack at `/` and
 * from S3 behind CloudFront in AWS. Relative asset URLs (`base: './'`) keep it servable from any path, such as
 * an S3 prefix. No public folder: the build must hold no `config.json`, which the local stack serves and a
 * deployment writes (runtime-config.ts); one build serves every deployment.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
