/**
 * Attribute mapping at run time (docs/contract.md#attribute-mapping): a directory entry's attributes into the
 * User's `attributes`, and the user name taken from the attribute `mapping.userName` names. The rules were
 * checked when the configuration was saved; what can still fail is a value (a date that is none, a result
 * too large, an expression that fails or runs out of budget), and that fails the user (MappingError), not
 * the run. No I/O: the DNs a `userName` transform needs are resolved before (userNameOf).
 */

import type { ExpressionEvaluator } from '../config/mapping-expression';
import {
  type AttributeRule,
  type AttributeValue,
  isExpressionRule,
  MAPPING_BUDGET,
  type MappedAttributes,
  READABLE_BINARY,
  type UserNameSource,
  valueBytes,
  valueProblem,
} from './attribute-rules';
import { guidText, type RawValue, sidText, transformValues } from './attribute-values';
import type { DirectoryEntry } from './user';

/** The mapping of the configuration (`mapping`). */
export interface MappingConfig {
  readonly userName: UserNameSource;
  readonly attributes: Readonly<Record<string, AttributeRule>>;
}

export const DEFAULT_MAPPING: MappingConfig = { userName: 'sAMAccountName', attributes: {} };

/** Why a user's mapping failed: the field (or `userName`) and what went wrong. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }

  /** The configuration path of the failed rule: `mapping.attributes.dept`, `mapping.userName`. */
  get path(): string {
    return `mapping.${this.field === 'userName' ? 'userName' : `attributes.${this.field}`}`;
  }

  /** The failure with the path of its rule: `mapping.attributes.dept: ...`. */
  get detailed(): string {
    return `${this.path}: ${this.detail}`;
  }
}

/** The user name the mapping takes, or a MappingError when the entry has no such attribute. */
export function mappedUserName(entry: DirectoryEntry, source: UserNameSource): string {
  const name = source === 'sAMAccountName' ? entry.sAMAccountName : entry[source]?.trim();
  if (!name) throw new MappingError('userName', `the user has no ${source}`);
  return name;
}

/**
 * The values of one attribute (name lower-cased), none when absent: the entry's own attributes only, so a rule
 * reading `constructor` or `toString` finds nothing rather than Object's members.
 */
function valuesOf(entry: DirectoryEntry, attribute: string): readonly RawValue[] {
  const name = attribute.toLowerCase();
  const { attributes } = entry;
  return attributes && Object.hasOwn(attributes, name) ? (attributes[name] ?? []) : [];
}

/** The DNs the entry's `userName` rules refer to (its manager, say): resolved before mapAttributes. */
export function referencedDns(entry: DirectoryEntry, mapping: MappingConfig): string[] {
  const dns: string[] = [];
  for (const rule of Object.values(mapping.attributes)) {
    if (isExpressionRule(rule) || rule.transform !== 'userName') continue;
    const source = rule.from.find((f) => valuesOf(entry, f).length > 0);
    const first = source ? valuesOf(entry, source)[0] : undefined;
    if (typeof first === 'string') dns.push(first);
  }
  return dns;
}

/** A raw value as an expression sees it: text (objectGUID and objectSid in their string forms). */
const inputText = (attribute: string, value: RawValue): string =>
  typeof value === 'string' ? value : attribute === 'objectsid' ? sidText(value) : guidText(value);

/** The document an expression is evaluated over: each attribute it reads, a string or a list of strings. */
function expressionInput(entry: DirectoryEntry, names: readonly string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const name of names) {
    const lower = name.toLowerCase();
    const values = valuesOf(entry, lower).map((v) => inputText(lower, v));
    if (values.length > 0) input[name] = values.length === 1 ? values[0] : values;
  }
  return input;
}

export interface MapAttributesOptions {
  /** The mapped user name of a DN (a `userName` transform), undefined when it names no user. */
  readonly userNameOf: (dn: string) => string | undefined;
  /** Runs the expressions (shared/config/mapping-expression.ts: JSONata under its budget). */
  readonly evaluate: ExpressionEvaluator;
  /** A monotonic clock in milliseconds (the expressions' budget); performance.now by default. */
  readonly clock?: () => number;
}

/**
 * The user's mapped attributes: each rule's value, or its default, or no field when there is neither. Throws
 * a MappingError naming the field when a value cannot be read, a result is not a mapped value, or the
 * budget (time, field size, user size) is exceeded.
 */
export async function mapAttributes(
  entry: DirectoryEntry,
  mapping: MappingConfig,
  options: MapAttributesOptions,
): Promise<MappedAttributes> {
  const clock = options.clock ?? (() => performance.now());
  const deadline = clock() + MAPPING_BUDGET.expressionMs;
  const attributes: Record<string, AttributeValue> = {};
  for (const [field, rule] of Object.entries(mapping.attributes)) {
    let value: unknown;
    try {
      value = isExpressionRule(rule)
        ? await options.evaluate(rule.expression, (names) => expressionInput(entry, names), deadline, clock)
        : sourceValue(entry, rule, options.userNameOf);
    } catch (error) {
      throw new MappingError(field, error instanceof Error ? error.message : String(error));
    }
    if (value === undefined) continue;
    const problem = valueProblem(value);
    if (problem) throw new MappingError(field, problem);
    attributes[field] = value as AttributeValue;
  }
  let bytes = 0;
  for (const value of Object.values(attributes)) bytes += valueBytes(value);
  if (bytes > MAPPING_BUDGET.maxUserBytes)
    throw new MappingError(
      '*',
      `the mapped attributes are ${bytes} bytes, more than the ${MAPPING_BUDGET.maxUserBytes} a user may hold`,
    );
  return attributes;
}

function sourceValue(
  entry: DirectoryEntry,
  rule: Exclude<AttributeRule, { expression: string }>,
  userNameOf: (dn: string) => string | undefined,
): AttributeValue | undefined {
  const source = rule.from.find((f) => valuesOf(entry, f).length > 0);
  const value = source
    ? transformValues(source.toLowerCase(), valuesOf(entry, source), rule.transform, userNameOf)
    : undefined;
  return value ?? rule.default;
}

/** Whether the attribute is read as bytes (objectGUID, objectSid). */
export const isBinaryAttribute = (name: string): boolean =>
  (READABLE_BINARY as readonly string[]).includes(name.toLowerCase());

/** Equal mapped attributes, whatever the order of their fields. */
export function sameAttributes(a: MappedAttributes | undefined, b: MappedAttributes | undefined): boolean {
  return canonical(a ?? {}) === canonical(b ?? {});
}

/** The attributes as JSON with their fields in name order: equal attributes, equal text. */
export const canonical = (attributes: MappedAttributes): string =>
  JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((k) => [k, attributes[k]]),
  );

/** The fields whose values differ, as `attributes.<field>`, in name order. */
export function changedAttributes(
  target: MappedAttributes | undefined,
  current: MappedAttributes | undefined,
): string[] {
  const a = target ?? {};
  const b = current ?? {};
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((f) => `attributes.${f}`);
}
