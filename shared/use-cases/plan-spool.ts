/**
 * The writes a run has planned, kept on local disk between the read and the apply. Nothing is written to the
 * user database until the whole directory has been read (a failed or partial read changes nothing), yet
 * memory holds one batch, not the plan: a first sync of a million users spools about 500 MB to disk
 * (Lambda's /tmp) instead of holding it in the heap.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PlannedChange } from '../domain/plan-sync';

export class PlanSpool {
  private constructor(
    private readonly folder: string,
    private readonly file: string,
    private readonly out: WriteStream,
  ) {
    // A write error (a full disk) surfaces at the next write or read, never as an unhandled 'error' event.
    out.on('error', (error) => {
      this.failure ??= error;
    });
  }

  private written = 0;
  private failure: Error | undefined;

  private check(): void {
    if (this.failure)
      throw new Error(`the plan spool could not be written: ${this.failure.message}`, {
        cause: this.failure,
      });
  }

  static async create(): Promise<PlanSpool> {
    const folder = await mkdtemp(join(tmpdir(), 'ad-sync-plan-'));
    const file = join(folder, 'plan.jsonl');
    return new PlanSpool(folder, file, createWriteStream(file, { mode: 0o600 }));
  }

  /** How many changes were spooled. */
  get size(): number {
    return this.written;
  }

  async write(change: PlannedChange): Promise<void> {
    this.check();
    this.written += 1;
    if (!this.out.write(`${JSON.stringify(change)}\n`)) await once(this.out, 'drain');
  }

  /** Ends writing, then yields the changes in the order written, `size` at a time. */
  async *batches(size: number): AsyncGenerator<PlannedChange[]> {
    this.check();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(resolve);
    });
    this.check();
    const lines = createInterface({
      input: createReadStream(this.file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let batch: PlannedChange[] = [];
    for await (const line of lines) {
      if (line === '') continue;
      batch.push(JSON.parse(line) as PlannedChange);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async dispose(): Promise<void> {
    this.out.destroy();
    await rm(this.folder, { recursive: true, force: true });
  }
}
