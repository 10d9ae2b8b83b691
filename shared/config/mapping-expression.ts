/**
 * JSONata expressions of attribute mapping (docs/contract.md#attribute-mapping), run by the `jsonata` package
 * under a budget: together, one user's expressions may take MAPPING_BUDGET.expressionMs, and no step may build
 * a string or list larger than MAPPING_BUDGET.expressionResultBytes. JSONata evaluates step by step, and calls
 * a hook before and after each step: the hooks stop an expression that loops or builds a huge value at the
 * step that goes over. jsonata's own guardrails (a timeout per evaluation, a stack depth, a sequence length)
 * stand behind them. A single native step cannot be interrupted: regular expressions run on RE2, in linear time.
 */
import jsonata from 'jsonata';
import { LinearRegex } from './linear-regex';

/**
 * Limits that hold for every evaluation, whatever the user's remaining budget; regular expressions matched in
 * linear time (linear-regex.ts), as no hook can stop a match under way.
 */
const GUARDRAILS: jsonata.JsonataOptions = {
  ...{ timeout: 50, stack: 500, sequence: 100_000 },
  // JSONata uses only `new`, `exec` and `lastIndex` of its engine (typed as RegExp's whole constructor).
  RegexEngine: LinearRegex as unknown as RegExpConstructor,
};
const RESULT_LIMIT = 1_048_576;
const LIST_LIMIT = 100_000;
const NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** Where one evaluation's deadline is kept: on its own frame (the `base` of every environment it makes). */
const DEADLINE = Symbol('mapping.deadline');
const CLOCK = Symbol('mapping.clock');

/**
 * Evaluates an expression over a user's attributes by a deadline (the domain's view of this module:
 * domain/attribute-mapping.ts receives it).
 */
export type ExpressionEvaluator = (
  expression: string,
  input: (attributes: readonly string[]) => Readonly<Record<string, unknown>>,
  deadline: number,
  clock: () => number,
) => Promise<unknown>;

export interface CompiledExpression {
  /** The attribute names the expression reads (the names of its paths), as written. */
  readonly attributes: readonly string[];
  /** Its regular expressions (a match is one native step: no hook can stop it). */
  readonly patterns: readonly RegExp[];
  /** Whether it calls `$eval` (refused at save; at run time `$eval` fails). */
  readonly callsEval: boolean;
  readonly expression: jsonata.Expression;
}

/** Thrown when an expression exceeds its budget (time or size). */
export class ExpressionBudgetError extends Error {
  override readonly name = 'ExpressionBudgetError';
}

interface Frame {
  base: Frame & { [DEADLINE]?: number; [CLOCK]?: () => number };
}

/** The deadline and clock of the evaluation being started: read synchronously by its first step. */
let starting: { deadline: number; clock: () => number } | undefined;

const onEntry = (_node: unknown, _input: unknown, environment: Frame): void => {
  const { base } = environment;
  if (base[DEADLINE] === undefined && starting) {
    base[DEADLINE] = starting.deadline;
    base[CLOCK] = starting.clock;
  }
  if ((base[CLOCK] as () => number)() > (base[DEADLINE] as number))
    throw new ExpressionBudgetError('the expressions took longer than the 50 ms a user may take');
};

const onExit = (_node: unknown, _input: unknown, _environment: Frame, result: unknown): void => {
  if (typeof result === 'string' && result.length > RESULT_LIMIT)
    throw new ExpressionBudgetError('the expression built a string larger than 1 MiB');
  if (Array.isArray(result) && result.length > LIST_LIMIT)
    throw new ExpressionBudgetError(`the expression built a list of more than ${LIST_LIMIT} values`);
};

const cache = new Map<string, CompiledExpression | string>();

/** The expression compiled, or why it does not compile (JSONata's message and position). Cached by text. */
export function compileExpression(text: string): CompiledExpression | string {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  let compiled: CompiledExpression | string;
  try {
    const expression = jsonata(text, GUARDRAILS);
    const bind = expression.assign as unknown as (name: symbol, value: unknown) => void;
    bind(Symbol.for('jsonata.__evaluate_entry'), onEntry);
    bind(Symbol.for('jsonata.__evaluate_exit'), onExit);
    // $eval parses text at run time: its regular expressions and attribute names escape the checks of a save.
    expression.registerFunction('eval', () => {
      throw new Error('$eval is not allowed in a mapping expression');
    });
    compiled = { expression, ...namesIn(expression.ast()) };
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    compiled = `the expression does not compile: ${message ?? String(error)}${position ? ` (at ${position})` : ''}`;
  }
  // Rules are few and live as long as the configuration: a bound keeps a stream of edits from growing it.
  if (cache.size > 1000) cache.clear();
  cache.set(text, compiled);
  return compiled;
}

/**
 * The names of the expression's path steps (the attributes it may read; over-reading one costs nothing), and
 * the sources of its regular expressions.
 */
function namesIn(ast: unknown): { attributes: string[]; patterns: RegExp[]; callsEval: boolean } {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  let callsEval = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const { type, value } = node as { type?: unknown; value?: unknown };
    if (type === 'name' && typeof value === 'string' && NAME.test(value)) names.add(value);
    if (type === 'regex' && value instanceof RegExp) patterns.push(value);
    if (type === 'variable' && value === 'eval') callsEval = true;
    for (const child of Object.values(node))
      if (typeof child === 'object' && !(child instanceof RegExp)) visit(child);
  };
  visit(ast);
  return { attributes: [...names], patterns, callsEval };
}

/**
 * Whether a pattern repeats a group that itself repeats (`(a+)+`, `(\w*)*`, `(\d{2,}){2,}`): the shape whose
 * backtracking grows exponentially with the input. A regular expression runs as one native step, which the
 * budget's hooks cannot interrupt, so such patterns are refused when the rule is saved.
 */
export function backtracksExponentially(pattern: string): boolean {
  const groupWithQuantifier = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,)/;
  return groupWithQuantifier.test(pattern);
}

/**
 * Evaluates a compiled expression over a user's attributes, to end by `deadline` (on `clock`'s scale). A
 * failure (of the expression, or of its budget) throws, with JSONata's message.
 */
export async function evaluateExpression(
  compiled: CompiledExpression,
  input: Readonly<Record<string, unknown>>,
  deadline: number,
  clock: () => number,
): Promise<unknown> {
  starting = { deadline, clock };
  let running: Promise<unknown>;
  try {
    running = compiled.expression.evaluate(input);
  } finally {
    starting = undefined;
  }
  try {
    const result = await running;
    return Array.isArray(result) ? Array.from(result) : result;
  } catch (error) {
    if (error instanceof Error) throw error;
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'D1012') throw new ExpressionBudgetError('the expression took longer than 50 ms');
    throw new Error(message ?? `the expression failed (${code ?? 'unknown error'})`);
  }
}

/** The evaluator the mapping uses: compiled (cached) by text, then evaluated under the budget. */
export const evaluateRuleExpression: ExpressionEvaluator = (expression, input, deadline, clock) => {
  const compiled = compileExpression(expression);
  // Checked when the configuration was saved: a rule that no longer compiles fails the user, not the run.
  if (typeof compiled === 'string') return Promise.reject(new Error(compiled));
  return evaluateExpression(compiled, input(compiled.attributes), deadline, clock);
};
