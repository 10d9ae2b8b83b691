/**
 * A rule of `mapping.attributes` checked when the configuration is saved (docs/contract.md#attribute-mapping):
 * its keys, attribute names, transform and default, and its expression compiled by JSONata (never run here).
 */
import {
  type AttributeRule,
  type AttributeValue,
  attributeProblem,
  type ExpressionRule,
  isExpressionRule,
  MAPPING_BUDGET,
  READABLE_BINARY,
  TRANSFORMS,
  type Transform,
  valueProblem,
} from '../domain/attribute-rules';
import { linearRegexProblem } from './linear-regex';
import { backtracksExponentially, compileExpression } from './mapping-expression';

const SOURCE_KEYS = new Set(['from', 'transform', 'default']);

/**
 * A rule's shape as JSON Schema, for the OpenAPI document: the rule is checked by parseRule (whose refusals name
 * the field), which zod cannot describe. Saved rules come back with `from` as a list.
 */
export const ATTRIBUTE_RULE_SCHEMA = {
  description:
    'A mapping rule (docs/contract.md#attribute-mapping): LDAP attributes with a transform, or a JSONata expression',
  oneOf: [
    {
      type: 'object',
      required: ['from'],
      properties: {
        from: {
          oneOf: [
            { type: 'string' },
            { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 10 },
          ],
        },
        transform: { enum: [...TRANSFORMS] },
        default: {
          oneOf: [
            { type: 'string' },
            { type: 'number' },
            { type: 'boolean' },
            { type: 'array', items: { type: 'string' } },
          ],
        },
      },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['expression'],
      properties: { expression: { type: 'string', maxLength: MAPPING_BUDGET.maxExpressionLength } },
      additionalProperties: false,
    },
  ],
};

/** A rule as the configuration gives it, checked: the rule, or why it is refused (one message). */
export function parseRule(input: unknown): AttributeRule | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return 'must be a rule: { "from": ..., "transform"?, "default"? } or { "expression": ... }';
  const raw = input as Record<string, unknown>;
  if ('expression' in raw) {
    const others = Object.keys(raw).filter((k) => k !== 'expression');
    if (others.length > 0) return `an expression rule has no other keys (${others.join(', ')})`;
    return parseExpressionRule(raw.expression);
  }
  const unknown = Object.keys(raw).filter((k) => !SOURCE_KEYS.has(k));
  if (unknown.length > 0) return `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}`;
  const from = typeof raw.from === 'string' ? [raw.from] : raw.from;
  if (
    !Array.isArray(from) ||
    from.length === 0 ||
    from.length > 10 ||
    !from.every((f) => typeof f === 'string')
  )
    return '"from" must be an LDAP attribute name or a list of 1 to 10 of them';
  for (const name of from) {
    const problem = attributeProblem(name);
    if (problem) return problem;
  }
  const transform = raw.transform;
  if (transform !== undefined && !(TRANSFORMS as readonly unknown[]).includes(transform))
    return `unknown transform ${JSON.stringify(transform)}; one of ${TRANSFORMS.join(', ')}`;
  const problem = binaryProblem(from, transform as Transform | undefined);
  if (problem) return problem;
  if ('default' in raw) {
    const problem = valueProblem(raw.default);
    if (problem) return `"default": ${problem}`;
  }
  return {
    from,
    ...(transform !== undefined ? { transform: transform as Transform } : {}),
    ...('default' in raw ? { default: raw.default as AttributeValue } : {}),
  };
}

/** The one binary attribute each of guid and sid reads (the other gives bytes its parser refuses). */
const READS: Partial<Record<Transform, { name: string; lower: string }>> = {
  guid: { name: 'objectGUID', lower: 'objectguid' },
  sid: { name: 'objectSid', lower: 'objectsid' },
};
/** Transforms that give objectGUID and objectSid in their string forms: the others would read bytes as text. */
const BINARY_TRANSFORMS: readonly (Transform | undefined)[] = [undefined, 'first', 'all', 'guid', 'sid'];

/**
 * Why a rule's attributes and transform do not go together, if they do not: guid reads only objectGUID and
 * sid only objectSid (any other value fails every user at run time), and the two binary attributes take
 * first (the default) and all, in their string forms, as well.
 */
function binaryProblem(from: readonly string[], transform: Transform | undefined): string | undefined {
  const binary = from.filter((f) => (READABLE_BINARY as readonly string[]).includes(f.toLowerCase()));
  if (binary.length > 0 && binary.length !== from.length)
    return 'objectGUID and objectSid cannot be mixed with text attributes in one rule';
  const reads = transform === undefined ? undefined : READS[transform];
  const other = reads && from.find((f) => f.toLowerCase() !== reads.lower);
  if (reads && other !== undefined)
    return `the transform ${transform} reads ${reads.name} only, not ${other}`;
  if (binary.length > 0 && !BINARY_TRANSFORMS.includes(transform))
    return `${binary[0]} is binary: map it with the transform guid or sid, or first or all (its string form too)`;
  return undefined;
}

function parseExpressionRule(expression: unknown): ExpressionRule | string {
  if (typeof expression !== 'string' || expression.trim() === '')
    return '"expression" must be a JSONata expression';
  if (expression.length > MAPPING_BUDGET.maxExpressionLength)
    return `the expression is ${expression.length} characters, more than ${MAPPING_BUDGET.maxExpressionLength}`;
  const compiled = compileExpression(expression);
  if (typeof compiled === 'string') return compiled;
  const risky = compiled.patterns.find((pattern) => backtracksExponentially(pattern.source));
  if (risky !== undefined)
    return `the regular expression /${risky.source}/ repeats a repeated group, which can take exponential time; rewrite it without nested repetition`;
  for (const pattern of compiled.patterns) {
    const problem = linearRegexProblem(pattern);
    if (problem) return problem;
  }
  if (compiled.callsEval)
    return '$eval is not allowed in a mapping expression (its text would escape the checks made at save)';
  for (const name of compiled.attributes) {
    const problem = attributeProblem(name);
    if (problem) return problem;
  }
  return { expression };
}

/** The LDAP attributes a set of rules reads (lower-cased, each once), besides those a sync always reads. */
export function attributesRead(rules: Readonly<Record<string, AttributeRule>>): string[] {
  const names = new Set<string>();
  for (const rule of Object.values(rules)) {
    const read = isExpressionRule(rule) ? compiledAttributes(rule.expression) : rule.from;
    for (const name of read) names.add(name.toLowerCase());
  }
  return [...names].sort();
}

const compiledAttributes = (expression: string): readonly string[] => {
  const compiled = compileExpression(expression);
  return typeof compiled === 'string' ? [] : compiled.attributes;
};
