/**
 * The directory function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See app-context.ts for the sync's.
 */
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import type { DirectoryReader } from '../ports/directory-reader';
import { type Environment, loadEnvironment } from './environment';
import { type SettingsContext, settingsOf } from './settings-context';

/** The directory pickers: the saved configuration and password, and the directory. */
export function directoryContext(
  env: Environment = loadEnvironment(),
): SettingsContext & { readonly directory: DirectoryReader } {
  return { ...settingsOf(env), directory: new LdapDirectoryReader() };
}
