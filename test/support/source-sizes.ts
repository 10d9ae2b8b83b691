/**
 * The size of source files and of the functions in them, read with the TypeScript compiler's syntax tree.
 * TypeScript 7 has only an unstable JavaScript API (`typescript/unstable/sync`): it starts the compiler's
 * native binary and hands back its syntax trees. Only syntax is needed, so the program is built without the
 * standard library, `@types` or import resolution, from a tsconfig that exists only in memory.
 */
import { join } from 'node:path';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import { SyntaxKind } from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';

/** A function, method, accessor, constructor, arrow function or function expression. */
export interface FunctionSize {
  /** Relative to the repository root, with `/` separators. */
  readonly file: string;
  /**
   * Its name, qualified by the named functions and classes around it (`RunStore.save`, `runSync.applyBatch`).
   * A function without a name of its own is named after what it is given to or assigned to: `describe(…)`,
   * `handler`, `.map(…)`; several of one name in one file are numbered from the second (`.map(…)#2`).
   */
  readonly name: string;
  /** 1-based, the line of its first token (its decorators and doc comment not counted). */
  readonly line: number;
  /** The lines it spans, from its first token to its last, blank lines and comments included. */
  readonly lines: number;
}

export interface SourceSizes {
  /** Each file's number of lines (a final line break ends the last line, it does not start another). */
  readonly files: ReadonlyMap<string, number>;
  readonly functions: readonly FunctionSize[];
}

const FUNCTION_KINDS = new Set<SyntaxKind>([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);
/** Nodes whose name qualifies the functions inside them. */
const SCOPE_KINDS = new Set<SyntaxKind>([
  ...FUNCTION_KINDS,
  SyntaxKind.ClassDeclaration,
  SyntaxKind.ClassExpression,
]);

/** The number of lines of a text (as `wc -l` counts them when the text ends with a line break). */
export const lineCountOf = (text: string): number =>
  text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** The text of a declaration's name (an identifier, a string literal, a computed `[name]`), if it has one. */
function nameOf(node: Node, sourceFile: SourceFile): string | undefined {
  const name = (node as Node & { name?: Node }).name;
  return name ? name.getText(sourceFile) : undefined;
}

/** The name of a function that has none of its own: what it is assigned to, or what it is passed to. */
function contextualNameOf(node: Node, sourceFile: SourceFile): string {
  const parent = node.parent;
  switch (parent.kind) {
    case SyntaxKind.VariableDeclaration:
    case SyntaxKind.PropertyAssignment:
    case SyntaxKind.PropertyDeclaration:
      return nameOf(parent, sourceFile) ?? '(anonymous)';
    case SyntaxKind.ExportAssignment:
      return 'default';
    case SyntaxKind.CallExpression:
    case SyntaxKind.NewExpression: {
      const callee = (parent as Node & { expression: Node }).expression;
      const text = callee.getText(sourceFile);
      // `describe(…)`, `map(…)`: the callee's last name, so that a long receiver does not make a long name.
      const last = text.slice(text.lastIndexOf('.') + 1);
      return `${parent.kind === SyntaxKind.NewExpression ? 'new ' : ''}${last}(…)`;
    }
    default:
      return '(anonymous)';
  }
}

/** The file's functions, each with its qualified name, first line and number of lines. */
function functionsOf(file: string, sourceFile: SourceFile): FunctionSize[] {
  const found: FunctionSize[] = [];
  const seen = new Map<string, number>();
  const lineOf = (position: number): number => sourceFile.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: Node, scope: readonly string[]): void => {
    let inner = scope;
    if (SCOPE_KINDS.has(node.kind)) {
      const own =
        node.kind === SyntaxKind.Constructor
          ? 'constructor'
          : (nameOf(node, sourceFile) ?? contextualNameOf(node, sourceFile));
      inner = [...scope, own];
    }
    if (FUNCTION_KINDS.has(node.kind)) {
      const base = inner.join('.');
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      const first = lineOf(node.getStart(sourceFile));
      found.push({
        file,
        name: count === 1 ? base : `${base}#${count}`,
        line: first,
        lines: lineOf(node.getEnd()) - first + 1,
      });
    }
    node.forEachChild((child) => visit(child, inner));
  };
  visit(sourceFile, []);
  return found;
}

/**
 * The number of lines of each file and the size of each function in them.
 *
 * @param root the repository's root folder (absolute)
 * @param files TypeScript files, relative to `root`
 * @param inMemory texts of files that are not on disk, by their path relative to `root` (for the tests)
 */
export function measureSources(
  root: string,
  files: readonly string[],
  inMemory: Readonly<Record<string, string>> = {},
): SourceSizes {
  // In memory only: the compiler asks for it through these callbacks, and nothing is written.
  const configFile = join(root, 'source-sizes.virtual.tsconfig.json');
  const virtual = new Map<string, string>([
    [
      configFile,
      JSON.stringify({
        compilerOptions: { noLib: true, noResolve: true, types: [], allowJs: true, noEmit: true },
        files: [...files],
      }),
    ],
    ...Object.entries(inMemory).map(([file, text]): [string, string] => [join(root, file), text]),
  ]);
  const api = new API({
    cwd: root,
    fs: {
      fileExists: (name) => (virtual.has(name) ? true : undefined),
      readFile: (name) => virtual.get(name),
    },
  });
  try {
    const project = api.updateSnapshot({ openProjects: [configFile] }).getProject(configFile);
    if (!project) throw new Error(`the compiler opened no project for ${configFile}`);
    const sizes = new Map<string, number>();
    const functions: FunctionSize[] = [];
    for (const file of files) {
      const sourceFile = project.program.getSourceFile(join(root, file));
      if (!sourceFile) throw new Error(`the compiler did not read ${file}`);
      sizes.set(file, lineCountOf(sourceFile.text));
      functions.push(...functionsOf(file, sourceFile));
    }
    return { files: sizes, functions };
  } finally {
    api.close();
  }
}
