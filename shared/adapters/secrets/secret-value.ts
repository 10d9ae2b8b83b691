/**
 * The secret's value: JSON `{ "password", "target", "configVersion" }` (domain/password-binding.ts). A value
 * in another form (a bare password saved before passwords were bound to their target, an edited secret)
 * is read as having no target, so no connection matches it until the password is saved again.
 */
import type { SavedPassword } from '../../domain/password-binding';

export function serializeSecret(saved: SavedPassword | undefined): string {
  return JSON.stringify(saved ?? {});
}

export function parseSecret(value: string | undefined): SavedPassword | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { password: value, target: '', configVersion: 0 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { password: value, target: '', configVersion: 0 };
  }
  const { password, target, configVersion } = parsed as Record<string, unknown>;
  if (typeof password !== 'string' || password === '') return undefined;
  return {
    password,
    target: typeof target === 'string' ? target : '',
    configVersion: typeof configVersion === 'number' ? configVersion : 0,
  };
}
