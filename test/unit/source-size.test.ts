/**
 * No source file over 450 lines, no function over 120: checked on every `npm test` over the code that ships and
 * the development tools (not the tests and their fixtures). The files and functions over the limits today are
 * listed below with their size; the list only shrinks: a listed one that grows fails, and so does one that is
 * back within the limit until it is taken off the list.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder } from '../support/imports';
import { lineCountOf, measureSources } from '../support/source-sizes';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the limits hold: everything with source code but test/ (its fixtures included). */
const MEASURED = ['shared', 'cli', 'cdk', 'functions', 'local', 'console/src', 'tools'];
const MAX_FILE_LINES = 450;
const MAX_FUNCTION_LINES = 120;

/** The files over the limit, and their number of lines, which they may not exceed until they are split. */
const FILES_OVER_THE_LIMIT: Readonly<Record<string, number>> = {};

/** The functions over the limit (`file: name`, named as measureSources names them), and their lines. */
const FUNCTIONS_OVER_THE_LIMIT: Readonly<Record<string, number>> = {};

/**
 * What breaks the limits, one line each: a size over the limit and not listed, a listed one that grew, and a
 * listed one that is within the limit now or is gone (then it comes off the list).
 */
function sizeViolations(
  measured: ReadonlyMap<string, number>,
  limit: number,
  exceptions: Readonly<Record<string, number>>,
): string[] {
  const violations: string[] = [];
  for (const [key, lines] of measured) {
    const allowed = exceptions[key];
    if (allowed === undefined && lines > limit) {
      violations.push(`${key}: ${lines} lines, over the limit of ${limit}`);
    } else if (allowed !== undefined && lines > allowed) {
      violations.push(
        `${key}: ${lines} lines, more than the ${allowed} it is listed with (the limit is ${limit})`,
      );
    } else if (allowed !== undefined && lines <= limit) {
      violations.push(`${key}: ${lines} lines, within the limit of ${limit} now: take it off the list`);
    }
  }
  for (const key of Object.keys(exceptions)) {
    if (!measured.has(key)) violations.push(`${key}: listed, but there is no such file or function now`);
  }
  return violations.sort();
}

const files = (await Promise.all(MEASURED.map((folder) => sourceFilesUnder(ROOT, folder))))
  .flat()
  .filter((file) => file.endsWith('.ts'));
const sizes = measureSources(ROOT, files);

describe('measureSources', () => {
  it('counts the lines of files and names each function by where it is', () => {
    const source = [
      'export function outer(): number {', // 1
      '  const inner = () => 1;',
      '  return [1].map((n) => n + inner()).length;',
      '}',
      'class Store {', // 5
      '  constructor() {}',
      '  get size(): number {',
      '    return 0;',
      '  }',
      '  async save(): Promise<void> {', // 10
      '    await Promise.all([1, 2].map(async () => {}));',
      '    [3].map(',
      '      function named() {},',
      '    );',
      '  }', // 15
      '}',
      'export const handler = async (): Promise<void> => {};',
      'export default function () {}',
      'describe("x", () => {',
      '  it("y", () => {});', // 20
      '  it("z", () => {});',
      '});',
      'const table = { read: () => 1, write() {} };',
      '',
    ].join('\n');
    const { files, functions } = measureSources(ROOT, ['in-memory/example.ts'], {
      'in-memory/example.ts': source,
    });
    expect(files.get('in-memory/example.ts')).toBe(23);
    expect(functions.map(({ name, line, lines }) => `${name} @${line} ${lines}`)).toEqual([
      'outer @1 4',
      'outer.inner @2 1',
      'outer.map(…) @3 1',
      'Store.constructor @6 1',
      'Store.size @7 3',
      'Store.save @10 6',
      'Store.save.map(…) @11 1',
      'Store.save.named @13 1',
      'handler @17 1',
      '(anonymous) @18 1',
      'describe(…) @19 4',
      'describe(…).it(…) @20 1',
      'describe(…).it(…)#2 @21 1',
      'read @23 1',
      'write @23 1',
    ]);
  });

  it('counts the lines of a text, a final line break ending the last line rather than starting one', () => {
    expect([lineCountOf('a\nb\n'), lineCountOf('a\nb'), lineCountOf('')]).toEqual([2, 2, 0]);
  });
});

describe('sizeViolations', () => {
  const measured = new Map([
    ['small.ts', 100],
    ['big.ts', 500],
    ['listed.ts', 480],
    ['grown.ts', 470],
    ['split.ts', 300],
  ]);
  it('reports what is over the limit and not listed, what grew, what is within the limit now and what is gone', () => {
    expect(
      sizeViolations(measured, 450, { 'listed.ts': 480, 'grown.ts': 460, 'split.ts': 700, 'gone.ts': 500 }),
    ).toEqual([
      'big.ts: 500 lines, over the limit of 450',
      'gone.ts: listed, but there is no such file or function now',
      'grown.ts: 470 lines, more than the 460 it is listed with (the limit is 450)',
      'split.ts: 300 lines, within the limit of 450 now: take it off the list',
    ]);
  });
});

describe('the source files', () => {
  it('are measured: the shipped code, the console and the tools', () => {
    expect(files).toContain('shared/use-cases/sync-pipeline.ts');
    expect(files).toContain('console/src/main.ts');
    expect(files).toContain('tools/bench.ts');
    expect(files.filter((file) => file.startsWith('test/'))).toEqual([]);
    expect(sizes.functions.length).toBeGreaterThan(files.length);
  });

  it(`have at most ${MAX_FILE_LINES} lines, but for the listed ones, which only shrink`, () => {
    expect(sizeViolations(sizes.files, MAX_FILE_LINES, FILES_OVER_THE_LIMIT)).toEqual([]);
  });

  it(`have no function over ${MAX_FUNCTION_LINES} lines, but for the listed ones, which only shrink`, () => {
    const functions = new Map(sizes.functions.map(({ file, name, lines }) => [`${file}: ${name}`, lines]));
    expect(functions.size).toBe(sizes.functions.length);
    expect(sizeViolations(functions, MAX_FUNCTION_LINES, FUNCTIONS_OVER_THE_LIMIT)).toEqual([]);
  });
});
