/**
 * SecretStore for the local stack: one JSON file readable by its owner only (mode 0600), written atomically.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SecretStore } from '../../ports/settings';

export class FileSecretStore implements SecretStore {
  constructor(private readonly path: string) {}

  async getPassword(): Promise<string | undefined> {
    try {
      const { password } = JSON.parse(await readFile(this.path, 'utf8')) as { password?: unknown };
      return typeof password === 'string' ? password : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async setPassword(password: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ password }), { mode: 0o600 });
    // writeFile's mode applies only to a new file; chmod covers a leftover temporary file.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}
