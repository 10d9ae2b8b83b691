/**
 * Supply chain (issue 12): every runtime dependency is one the code imports (each is code that runs with
 * the directory's password at hand), and nothing a tool writes at run time is tracked in git.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the shipped code lives: the Lambda functions, the CLI and local stack, the CDK app, the console. */
const SOURCE_DIRS = ['bin', 'functions', 'shared', 'cli', 'local', 'cdk', 'console/src'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The packages a file imports: `from 'x'`, `import 'x'`, `import('x')`, by package name. */
function importedPackages(source: string): Set<string> {
  const packages = new Set<string>();
  for (const match of source.matchAll(/(?:from\s+|import\s*\(?\s*)['"]([^'"./][^'"]*)['"]/g)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
  }
  return packages;
}

describe('runtime dependencies', () => {
  it('are each imported by the shipped code', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const dir of SOURCE_DIRS) {
      for (const file of await sourceFiles(dir)) {
        for (const name of importedPackages(await readFile(join(ROOT, file), 'utf8'))) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect(Object.keys(manifest.dependencies).filter((name) => !imported.has(name))).toEqual([]);
  });
});

describe('the repository', () => {
  it('does not track the metadata file DynamoDB Local writes, and ignores it', () => {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    expect(git('ls-files', '--', 'dynamodb-local-metadata.json')).toBe('');
    expect(git('check-ignore', '--no-index', 'dynamodb-local-metadata.json').trim()).toBe(
      'dynamodb-local-metadata.json',
    );
  });

  it('tracks no installed packages: node_modules is ignored as a folder and as a link', () => {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    expect(git('ls-files', '--', 'node_modules')).toBe('');
    // A link (a worktree sharing another checkout's packages) is not matched by a "node_modules/" pattern.
    expect(git('check-ignore', '--no-index', 'node_modules').trim()).toBe('node_modules');
  });
});
