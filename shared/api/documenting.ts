/**
 * `documenting`: the schema of what a use case answers, checked at compile time against the type it documents
 * (shared/api/schemas.ts and the schemas beside it).
 */
import type * as z from 'zod';

/** Readonly all the way down: what a handler answers may be immutable. */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The fields of a type at every level, without their value types. */
type Fields<T> = T extends readonly (infer E)[]
  ? Fields<E>[]
  : T extends object
    ? { [K in keyof T]-?: Fields<Exclude<T[K], undefined>> }
    : 'value';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `true` when a schema documents a type exactly: every value of `Domain` is one the schema's type accepts,
 * and both have the same fields at every level (a field the API answers is in the document, and the other
 * way round).
 */
type Documents<Schema extends z.ZodType, Domain> = [Domain] extends [DeepReadonly<z.output<Schema>>]
  ? Same<Fields<z.output<Schema>>, Fields<Domain>>
  : false;

/**
 * The schema of what a use case answers, checked at compile time: a schema that does not document `Domain`
 * exactly (see Documents) does not compile here. At run time, the schema itself.
 */
export const documenting =
  <Domain>() =>
  <S extends z.ZodType>(
    schema: S & (Documents<S, Domain> extends true ? unknown : 'does not document the type the API answers'),
  ): S =>
    schema;
