/**
 * The admin console in the local stack: built with Vite when its output is missing or older than its sources
 * (so `npm start` works right after `npm ci`), and served as static files at `/`.
 *
 * The page and its assets are served without the token: they hold no data, and the page asks for the token
 * (or takes it from `#token=...`) and sends it with every API request. The API routes keep requiring it.
 * So is `/config.json`, the console's runtime configuration: here always `{ "mode": "local" }` (a deployment
 * writes its own, with the API's URL and the Cognito ids; the build holds none).
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_SECURITY_HEADERS as SECURITY_HEADERS } from '../console/security-headers';

const CONSOLE_DIR = fileURLToPath(new URL('../console', import.meta.url));
const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

async function newestSourceMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestSourceMtime(join(path, entry)));
  }
  return newest;
}

/** Whether `console/dist` exists and is at least as new as every source of the console. */
async function consoleBuildIsCurrent(): Promise<boolean> {
  const built = await stat(join(CONSOLE_DIST, 'index.html')).catch(() => undefined);
  if (!built) return false;
  const sources = await Promise.all(
    ['index.html', 'vite.config.ts', 'src'].map((name) => newestSourceMtime(join(CONSOLE_DIR, name))),
  );
  return built.mtimeMs >= Math.max(...sources);
}

/**
 * Builds the console unless its build is current. Never throws: without a console the API still works, so a
 * failed build is logged and the page answers 503 saying how to build it.
 */
export async function ensureConsoleBuilt(log: (line: string) => void): Promise<boolean> {
  try {
    if (await consoleBuildIsCurrent()) return true;
    log('building the admin console (console/dist) ...');
    // biome-ignore lint/correctness/noUndeclaredDependencies: a devDependency on purpose; a checkout has it (npm ci), and without it the API still works
    const { build } = await import('vite');
    // Built next to the final folder and moved into place, so that a server (or a second build) never sees a
    // half-written console.
    const staging = join(CONSOLE_DIR, `dist.building-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await build({
        configFile: join(CONSOLE_DIR, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: staging, emptyOutDir: true },
      });
      await rm(CONSOLE_DIST, { recursive: true, force: true });
      await rename(staging, CONSOLE_DIST).catch(async (error: NodeJS.ErrnoException) => {
        // Another process moved its build into place in between: that one is as good as this one.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return true;
  } catch (error) {
    log(`the admin console could not be built (npm run build:console): ${(error as Error).message}`);
    return false;
  }
}

/** The console's runtime configuration on the local stack: local mode, the bearer token. */
export const LOCAL_CONSOLE_CONFIG = { mode: 'local' } as const;

/**
 * Whether a request is for the console rather than the API: `/`, `/index.html`, `/config.json` and
 * `/assets/*`.
 */
export function isConsolePath(method: string, pathname: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return (
    pathname === '/' ||
    pathname === '/index.html' ||
    pathname === '/config.json' ||
    /^\/assets\/[\w.-]+$/.test(pathname)
  );
}

/** Sends a console file: `/` is the page, `/assets/<name>` its hashed (so immutable) scripts and styles. */
export async function sendConsoleFile(
  method: string,
  pathname: string,
  response: ServerResponse,
): Promise<void> {
  if (pathname === '/config.json') {
    const body = Buffer.from(JSON.stringify(LOCAL_CONSOLE_CONFIG));
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-cache',
      ...SECURITY_HEADERS,
    });
    response.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const name = pathname === '/' ? 'index.html' : pathname.slice(1);
  const body = await readFile(join(CONSOLE_DIST, name)).catch(() => undefined);
  if (!body) {
    const page = name === 'index.html';
    response.writeHead(page ? 503 : 404, {
      'content-type': 'text/plain; charset=utf-8',
      ...SECURITY_HEADERS,
    });
    response.end(page ? 'The admin console is not built: run npm run build:console\n' : 'Not found\n');
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    'content-length': String(body.length),
    'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
    ...SECURITY_HEADERS,
  });
  response.end(method === 'HEAD' ? undefined : body);
}
