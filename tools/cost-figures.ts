/**
 * The benchmark's figures the cost model needs: the JSON lines of `npm run bench -- --json`, the 10,000-user
 * figures of docs/performance.md when there are none, and 100,000 users estimated from them until measured.
 */

/** The benchmark's figures a model needs (the JSON of `npm run bench -- --json`), and where they come from. */
export interface BenchFigures {
  readonly users: number;
  readonly floorReadMs: number;
  readonly fullSyncMs: number;
  readonly noChangeSyncMs: number;
  readonly changedSyncMs: number;
  /** The 1 % the changed run changed (changedUsers). */
  readonly changedUsers: number;
  /** The write capacity DynamoDB Local reported for the full sync (not what AWS bills: see docs/cost.md). */
  readonly fullSyncWcu?: number;
  /** Where the figures come from: a bench file, docs/performance.md, or an estimate. */
  readonly origin: string;
}

/** docs/performance.md, 10,000 users (its table; the 2,565 WCU of its progress section). */
export const MEASURED_10K: BenchFigures = {
  users: 10_000,
  floorReadMs: 3_462,
  fullSyncMs: 8_321,
  noChangeSyncMs: 262,
  changedSyncMs: 882,
  changedUsers: 100,
  fullSyncWcu: 2_565,
  origin: 'measured (docs/performance.md)',
};

/**
 * 100,000 users, estimated from 10,000 until the benchmark measures them: the read, the full sync and the
 * changed run's extra time 10x (the full sync runs at about 1,200 users/s); the no-change run at the issue's
 * goal (1.2x its time at 10,000).
 */
export function estimateFrom(base: BenchFigures, users: number): BenchFigures {
  const scale = users / base.users;
  const noChangeSyncMs = Math.round(base.noChangeSyncMs * 1.2);
  return {
    users,
    floorReadMs: Math.round(base.floorReadMs * scale),
    fullSyncMs: Math.round(base.fullSyncMs * scale),
    noChangeSyncMs,
    changedSyncMs: Math.round(noChangeSyncMs + (base.changedSyncMs - base.noChangeSyncMs) * scale),
    changedUsers: Math.round(base.changedUsers * scale),
    ...(base.fullSyncWcu !== undefined ? { fullSyncWcu: Math.round(base.fullSyncWcu * scale) } : {}),
    origin: `ESTIMATE (${scale}x the ${base.users.toLocaleString('en-US')}-user figures)`,
  };
}

/** Reads the JSON lines of bench files; the last line per user count wins. */
export function parseBenchLines(text: string, origin: string): BenchFigures[] {
  const found = new Map<number, BenchFigures>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || !line.trim().startsWith('{')) continue;
    const json = JSON.parse(line) as Record<string, unknown>;
    const field = (name: string): number => {
      const value = json[name];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(
          `${origin}:${index + 1}: ${name} must be a number >= 0, not ${JSON.stringify(value)}`,
        );
      }
      return value;
    };
    const users = field('users');
    found.set(users, {
      users,
      floorReadMs: field('floorReadMs'),
      fullSyncMs: field('fullSyncMs'),
      noChangeSyncMs: field('noChangeSyncMs'),
      changedSyncMs: field('changedSyncMs'),
      changedUsers: field('changedUsers'),
      ...(typeof json.fullSyncWcu === 'number' ? { fullSyncWcu: json.fullSyncWcu } : {}),
      origin: `measured (${origin})`,
    });
  }
  return [...found.values()];
}

/** The figures to model: the bench files' lines, else docs/performance.md; 100,000 estimated if not measured. */
export function figuresFor(measured: readonly BenchFigures[]): BenchFigures[] {
  const byUsers = new Map(measured.map((f) => [f.users, f]));
  const base = byUsers.get(10_000) ?? MEASURED_10K;
  byUsers.set(10_000, base);
  if (!byUsers.has(100_000)) byUsers.set(100_000, estimateFrom(base, 100_000));
  return [...byUsers.values()].sort((x, y) => x.users - y.users);
}
