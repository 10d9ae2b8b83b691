/**
 * SecretStore for the local stack: one JSON file readable by its owner only (mode 0600), written atomically.
 * Read on every use (no cache), so a save is seen by the next run at once.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SavedPassword } from '../../domain/password-binding';
import type { SecretStore } from '../../ports/secret-store';
import { parseSecret, serializeSecret } from './secret-value';

export class FileSecretStore implements SecretStore {
  constructor(private readonly path: string) {}

  async getPassword(): Promise<SavedPassword | undefined> {
    try {
      return parseSecret(await readFile(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async setPassword(saved: SavedPassword | undefined): Promise<void> {
    if (saved === undefined) {
      await rm(this.path, { force: true });
      return;
    }
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, serializeSecret(saved), { mode: 0o600 });
    // writeFile's mode applies only to a new file; chmod covers a leftover temporary file.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}
