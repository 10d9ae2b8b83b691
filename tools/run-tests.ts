/**
 * `npm test`: the type check and the lint side by side, then, when both pass, the tests, at once in three vitest
 * processes: the unit tests, and the two integration lanes (vitest.config.ts), each lane on a Samba AD DC and a
 * DynamoDB Local of its own. vitest runs the projects whose files must not overlap (`fileParallelism: false`)
 * one after the other in one process, so the lanes overlap only as processes of their own.
 *
 * Each process writes a blob report with its coverage; the last step merges them (`--merge-reports`) into one
 * report with the coverage of all the tests, and enforces the coverage floor on it (the processes alone do
 * not: `ADSYNC_PARTIAL_RUN`). The run fails when any process fails, or the merge does (a failed test, the
 * floor, or a lane that wrote no report).
 *
 * `npm test -- <vitest filters>` passes the filters to every process (and holds no coverage floor: a part of
 * the tests covers a part of the code).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const LANES = [
  { name: 'unit', projects: ['unit', 'unit-isolated'] },
  { name: 'integration', projects: ['integration'] },
  { name: 'integration-2', projects: ['integration-2'] },
] as const;

/** Runs a command, each output line prefixed with `label`; resolves its exit code. */
function run(
  command: string,
  args: readonly string[],
  label: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    createInterface({ input: stream }).on('line', (line) => out.write(`${label}${line}\n`));
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject).once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs vitest with these arguments, each output line prefixed with `label`; resolves its exit code. */
const vitest = (args: readonly string[], label: string, env?: NodeJS.ProcessEnv): Promise<number> =>
  run(process.execPath, [VITEST, ...args], label, env);

/**
 * The type check and the lint (package.json's scripts), side by side, before any test starts: on an idle
 * machine the slower one sets the time (about 13 s), not their sum (about 20 s). Whether both passed.
 */
async function checksPass(): Promise<boolean> {
  const codes = await Promise.all(
    ['typecheck', 'lint'].map((script) => run('npm', ['run', '--silent', script], `[${script}] `)),
  );
  return codes.every((code) => code === 0);
}

async function main(): Promise<number> {
  if (!(await checksPass())) return 1;
  const filters = process.argv.slice(2);
  const work = await mkdtemp(join(tmpdir(), 'ad-sync-test-run-'));
  const blobs = join(work, 'blobs');
  try {
    const codes = await Promise.all(
      LANES.map(({ name, projects }) =>
        vitest(
          [
            'run',
            ...projects.flatMap((project) => ['--project', project]),
            '--coverage',
            // Each process its own (vitest refuses to share one); the merge writes coverage/.
            `--coverage.reportsDirectory=${join(work, `coverage-${name}`)}`,
            // A filter may leave a lane without files.
            '--passWithNoTests',
            '--reporter=default',
            '--reporter=blob',
            `--outputFile.blob=${join(blobs, `${name}.json`)}`,
            ...filters,
          ],
          `[${name}] `,
          { ...process.env, ADSYNC_PARTIAL_RUN: '1' },
        ),
      ),
    );
    const written = await readdir(blobs).catch(() => [] as string[]);
    const missing = LANES.filter(({ name }) => !written.includes(`${name}.json`)).map(({ name }) => name);
    if (missing.length > 0) process.stderr.write(`no report from: ${missing.join(', ')}\n`);
    // Filtered, the run covers part of the code: the floor holds for the whole run only.
    const mergeEnv = filters.length > 0 ? { ...process.env, ADSYNC_PARTIAL_RUN: '1' } : process.env;
    const merged = await vitest(['run', `--merge-reports=${blobs}`, '--coverage'], '', mergeEnv);
    const failed = LANES.filter((_, i) => codes[i] !== 0).map(({ name }) => name);
    if (failed.length > 0) process.stderr.write(`failed: ${failed.join(', ')}\n`);
    return failed.length > 0 || missing.length > 0 || merged !== 0 ? 1 : 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
