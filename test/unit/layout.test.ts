/**
 * The shape of the code, checked on every `npm test`: which folder may import which. (Import cycles are found
 * by Biome's `noImportCycles` in `npm run lint`, type-only imports included: see biome.json.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFilesUnder, withoutComments } from '../support/imports';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What ships: the Lambda functions and their shared core, the `adsync` command and local stack, the CDK app, the console. */
const SHIPPED = ['bin', 'cli', 'local', 'shared', 'functions', 'cdk', 'console/src'];
/** What only development uses: tests and their support, benchmarks, the demo, generators. */
const DEVELOPMENT = ['test', 'tools'];
/** The hosts that run the shared core; the core imports none of them. */
const HOSTS = ['functions', 'cdk', 'cli', 'local', 'bin', 'console'];

/** What a use case may import besides shared/errors.ts and node built-ins: no adapter, no runtime wiring, no HTTP. */
const USE_CASE_IMPORTS = ['shared/use-cases', 'shared/domain', 'shared/ports', 'shared/config'];
/** What a port (an interface in the domain's terms) may import, as types only. */
const PORT_IMPORTS = ['shared/ports', 'shared/domain', 'shared/config'];

const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);
const withoutExtension = (path: string): string => path.replace(/\.(ts|js|mjs)$/, '');

/**
 * The import rules a file breaks, one line each (`file:line: specifier: why`). `file` is relative to the
 * repository root, with `/` separators.
 */
function layoutViolations(file: string, source: string): string[] {
  const violations: string[] = [];
  for (const { specifier, typeOnly, line } of importsOf(source)) {
    const relative = specifier.startsWith('.');
    const target = relative ? normalize(join(dirname(file), specifier)).replaceAll('\\', '/') : undefined;
    const broken = (why: string): void => {
      violations.push(`${file}:${line}: ${specifier}: ${why}`);
    };

    if (
      SHIPPED.some((folder) => under(file, folder)) &&
      target &&
      DEVELOPMENT.some((folder) => under(target, folder))
    ) {
      broken('shipped code imports development code (test/ or tools/)');
    }
    if (under(file, 'shared') && target && HOSTS.some((folder) => under(target, folder))) {
      broken('the shared core imports a host that runs it (functions/, cdk/, cli/, local/, bin/, console/)');
    }
    const builtin = specifier.startsWith('node:') || builtinModules.includes(specifier);
    if (under(file, 'shared/use-cases')) {
      // Use cases receive ports and never import adapters (STYLE.md 3); shared/runtime wires adapters in, and
      // shared/api is the HTTP edge, so neither is imported either. No package: a use case is plain TypeScript.
      const allowed =
        builtin ||
        (target !== undefined &&
          (USE_CASE_IMPORTS.some((folder) => under(target, folder)) ||
            withoutExtension(target) === 'shared/errors'));
      if (!allowed) {
        broken(
          'a use case imports only use cases, the domain, ports, shared/config, shared/errors.ts and node built-ins (never an adapter)',
        );
      }
    }
    if (under(file, 'shared/ports')) {
      const allowed =
        typeOnly && target !== undefined && PORT_IMPORTS.some((folder) => under(target, folder));
      if (!allowed) {
        broken('a port imports only types (`import type`) from ports, the domain and shared/config');
      }
    }
    if (under(file, 'shared/domain')) {
      const allowed =
        builtin ||
        (target !== undefined &&
          (under(target, 'shared/domain') ||
            withoutExtension(target) === 'shared/errors' ||
            (typeOnly && under(target, 'shared/config'))));
      if (!allowed) {
        broken(
          'the domain imports only the domain, node built-ins, shared/errors.ts, and types from shared/config (`import type`)',
        );
      }
    }
  }
  return violations;
}

describe('importsOf', () => {
  it('finds static, re-exported, side-effect and dynamic imports, and tells type-only ones apart', () => {
    const source = [
      "import { readdir, readFile } from 'node:fs/promises';",
      'import type { Config } from "../config/config-schema";',
      'import {',
      '  type ArchiveAccess,',
      '  type Privilege,',
      "} from '../config/config-schema';",
      "export { planSync } from './plan-sync';",
      "export type { Report } from './report';",
      "import './side-effect';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      'const handler = await import(`../functions/${name}.ts`);',
      "const lazy = await import('./lazy');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      { specifier: 'node:fs/promises', typeOnly: false, line: 1 },
      { specifier: '../config/config-schema', typeOnly: true, line: 2 },
      // Type specifiers only, but under verbatimModuleSyntax the module is still loaded.
      { specifier: '../config/config-schema', typeOnly: false, line: 6 },
      { specifier: './plan-sync', typeOnly: false, line: 7 },
      { specifier: './report', typeOnly: true, line: 8 },
      { specifier: './side-effect', typeOnly: false, line: 9 },
      { specifier: '../functions/', typeOnly: false, line: 10 },
      { specifier: './lazy', typeOnly: false, line: 11 },
    ]);
  });

  it('ignores imports in comments, and is not thrown off by strings and regular expressions', () => {
    const source = [
      '/**',
      " * import { old } from '../use-cases/sync-pipeline';",
      ' */',
      "// import { other } from '../adapters/ldap';",
      "const url = 'https://example.com/*';",
      'const pattern = /["\'/]/g;',
      "import { kept } from './kept'; // import { trailing } from './trailing'",
      "/* import('./hidden') */ const late = await import('./late');",
    ].join('\n');
    expect(importsOf(source).map(({ specifier, line }) => [specifier, line])).toEqual([
      ['./kept', 7],
      ['./late', 8],
    ]);
    expect(withoutComments(source).split('\n')).toHaveLength(8);
  });
});

describe('layoutViolations', () => {
  it('lets a use case import use cases, the domain, ports, shared/config, shared/errors.ts and node built-ins', () => {
    const source = [
      "import { randomUUID } from 'node:crypto';",
      "import type { Config } from '../config/config-schema';",
      "import { planSync } from '../domain/plan-sync';",
      "import { ValidationError } from '../errors';",
      "import type { UserStore } from '../ports/user-store';",
      "import { reportOf } from './run-report';",
    ].join('\n');
    expect(layoutViolations('shared/use-cases/sync-pipeline.ts', source)).toEqual([]);
  });

  it('reports a use case importing an adapter (even its types), the runtime, the HTTP edge, a host or a package', () => {
    const source = [
      "import type { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';",
      "import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';",
      "const { FileSecretStore } = await import('../adapters/secrets/file-secret-store');",
      "export { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';",
      "import { appContext } from '../runtime/sync-worker-context';",
      "import { routes } from '../api/routes';",
      "import { handler } from '../../functions/sync';",
      "import * as z from 'zod';",
    ].join('\n');
    const violations = layoutViolations('shared/use-cases/sync-pipeline.ts', source);
    expect(violations.filter((v) => v.includes('never an adapter')).map((v) => v.split(': ')[0])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((line) => `shared/use-cases/sync-pipeline.ts:${line}`),
    );
    // functions/ is a host as well: that rule reports it too.
    expect(violations).toHaveLength(9);
  });

  it('lets a port import only types from ports, the domain and shared/config', () => {
    expect(
      layoutViolations(
        'shared/ports/user-store.ts',
        [
          "import type { Config } from '../config/config-schema';",
          "import type { User } from '../domain/user';",
          "import type { RunLock } from './run-lock';",
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(
      layoutViolations(
        'shared/ports/user-store.ts',
        [
          "import { User } from '../domain/user';",
          "import type { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';",
          "import type { Logger } from '@aws-lambda-powertools/logger';",
        ].join('\n'),
      ),
    ).toHaveLength(3);
  });

  it('lets the domain import the domain, node built-ins, shared/errors.ts and types from shared/config', () => {
    const source = [
      "import { createHash } from 'node:crypto';",
      "import type { Config } from '../config/config-schema';",
      "import { ValidationError } from '../errors';",
      "import { escapeRdnValue } from './distinguished-name';",
    ].join('\n');
    expect(layoutViolations('shared/domain/plan-sync.ts', source)).toEqual([]);
  });

  it('reports the domain importing a use case, an adapter, a package, or a value from shared/config', () => {
    const source = [
      "import type { SyncDependencies } from '../use-cases/sync-pipeline';",
      "import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';",
      "import * as z from 'zod';",
      "import { parseConfig } from '../config/config-schema';",
      "import { type Config } from '../config/config-schema';",
    ].join('\n');
    expect(layoutViolations('shared/domain/plan-sync.ts', source).map((v) => v.split(': ')[0])).toEqual([
      'shared/domain/plan-sync.ts:1',
      'shared/domain/plan-sync.ts:2',
      'shared/domain/plan-sync.ts:3',
      'shared/domain/plan-sync.ts:4',
      'shared/domain/plan-sync.ts:5',
    ]);
  });

  it('reports shipped code importing test/ or tools/, and the shared core importing its hosts', () => {
    expect(
      layoutViolations('cli/adsync.ts', "import { startSambaDc } from '../test/support/samba-dc';"),
    ).toEqual([
      'cli/adsync.ts:1: ../test/support/samba-dc: shipped code imports development code (test/ or tools/)',
    ]);
    expect(
      layoutViolations('local/local-stack.ts', "const { table } = await import('../tools/demo');"),
    ).toHaveLength(1);
    expect(
      layoutViolations(
        'shared/runtime/sync-worker-context.ts',
        "import { lambdaContext } from '../../local/local-stack';",
      ),
    ).toHaveLength(1);
    // Development code may import anything.
    expect(
      layoutViolations('tools/demo.ts', "import { startSambaDc } from '../test/support/samba-dc';"),
    ).toEqual([]);
  });
});

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');

describe('the repository', () => {
  it('points only to sections docs/contract.md has', async () => {
    const contract = await readFile(join(ROOT, 'docs', 'contract.md'), 'utf8');
    const anchors = new Set(
      [...contract.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] as string)),
    );
    expect(anchors).toContain('test-settings-and-synchronize');
    const files = [
      ...(
        await Promise.all([...SHIPPED, ...DEVELOPMENT].map((folder) => sourceFilesUnder(ROOT, folder)))
      ).flat(),
      'README.md',
      ...(await readdir(join(ROOT, 'docs')))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const broken: string[] = [];
    let pointers = 0;
    for (const file of files) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const [, anchor] of text.matchAll(/contract\.md#([\w-]+)/g)) {
        pointers += 1;
        if (!anchors.has(anchor as string)) broken.push(`${file}: #${anchor}`);
      }
    }
    expect(pointers).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });

  it('keeps to the layout: nothing shipped imports test/ or tools/, shared/ no host, use cases no adapter, ports only types, the domain stays pure', async () => {
    const files = (await Promise.all(SHIPPED.map((folder) => sourceFilesUnder(ROOT, folder)))).flat();
    expect(files).toContain('shared/domain/plan-sync.ts');
    expect(files).toContain('shared/use-cases/sync-pipeline.ts');
    expect(files).toContain('shared/ports/user-store.ts');
    expect(files).toContain('cli/adsync.ts');
    const violations: string[] = [];
    let imports = 0;
    for (const file of files) {
      const source = await readFile(join(ROOT, file), 'utf8');
      imports += importsOf(source).length;
      violations.push(...layoutViolations(file, source));
    }
    expect(imports).toBeGreaterThan(files.length);
    expect(violations).toEqual([]);
  });
});
