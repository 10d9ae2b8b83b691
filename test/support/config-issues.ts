import { expect } from 'vitest';
import { parseConfig } from '../../shared/config/config-schema';
import { ValidationError } from '../../shared/errors';

/** The field issues parseConfig reports for `input`; fails the test when it accepts the input. */
export function configIssuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).details];
  }
  throw new Error('expected a ValidationError');
}
