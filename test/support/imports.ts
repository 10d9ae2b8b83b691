/**
 * The imports of a TypeScript source file, read without the compiler (TypeScript 7 has no stable JavaScript
 * API): comments are blanked first, so an import in a comment or a doc example does not count, and then the
 * import and export statements and the dynamic `import()` calls are matched.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface ImportReference {
  /** As written; for a dynamic import of a template literal, the part before its first `${`. */
  readonly specifier: string;
  /**
   * `import type` or `export type`: erased by the compiler, so no module is loaded at run time. An import of
   * type specifiers only (`import { type A }`) is not: under `verbatimModuleSyntax` it stays an import.
   */
  readonly typeOnly: boolean;
  /** 1-based. */
  readonly line: number;
}

/** The characters after which a `/` starts a regular expression literal rather than a division. */
const BEFORE_REGEX = new Set([
  '',
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);

/** The source with every comment replaced by spaces (line breaks kept, so line numbers stay). */
export function withoutComments(source: string): string {
  const out: string[] = [];
  let i = 0;
  let previous = ''; // the last non-blank code character
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out.push(' ');
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) out.push(source[i] === '\n' ? '\n' : ' ');
    } else if (c === "'" || c === '"' || c === '`') {
      // A template's `${...}` may hold quotes of its own; imports never sit inside one, so it is read as text.
      const start = i++;
      while (i < source.length && source[i] !== c && !(c !== '`' && source[i] === '\n')) {
        i += source[i] === '\\' ? 2 : 1;
      }
      i++;
      out.push(source.slice(start, i));
      previous = c;
    } else if (c === '/' && BEFORE_REGEX.has(previous)) {
      const start = i++;
      let inClass = false;
      while (i < source.length && source[i] !== '\n' && (inClass || source[i] !== '/')) {
        if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i += source[i] === '\\' ? 2 : 1;
      }
      i++;
      out.push(source.slice(start, i));
      previous = '/';
    } else {
      out.push(c);
      if (!/\s/.test(c)) previous = /[\w$)\]]/.test(c) ? 'x' : c;
      i++;
    }
  }
  return out.join('');
}

const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s*from\s*)?(['"])([^'"\n]+)\2/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*(['"`])([^'"`$\n]*)/g;

/** Every import of a source file: static imports, `export ... from`, and dynamic `import()` calls. */
export function importsOf(source: string): ImportReference[] {
  const code = withoutComments(source);
  const lineOf = (index: number): number => code.slice(0, index).split('\n').length;
  const found: ImportReference[] = [];
  for (const match of code.matchAll(STATIC_IMPORT)) {
    const at = match.index + match[0].indexOf(match[2] as string);
    found.push({ specifier: match[3] as string, typeOnly: match[1] !== undefined, line: lineOf(at) });
  }
  for (const match of code.matchAll(DYNAMIC_IMPORT)) {
    found.push({ specifier: match[2] as string, typeOnly: false, line: lineOf(match.index) });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The TypeScript and JavaScript files under a folder of the repository, as paths relative to `root`. */
export async function sourceFilesUnder(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length).replace(/^\/+/, ''))
    .filter((path) => !/(^|\/)(node_modules|dist)\//.test(path))
    .sort();
}
