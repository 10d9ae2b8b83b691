/**
 * The admin console's build: a static single-page app in `console/dist`, served by the local stack at `/`.
 * Relative asset URLs (`base: './'`) keep it servable from any path, such as an S3 prefix.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
