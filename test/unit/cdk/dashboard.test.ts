import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../../shared/api/routes';
import { functionIdPrefix, synthStack } from '../../support/iam-policy';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The names of the metrics the functions emit (Powertools Metrics' addMetric), read from their sources. */
function emittedMetricNames(): string[] {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const [, name] of readFileSync(join(ROOT, path), 'utf8').matchAll(/addMetric\(\s*'(\w+)'/g)) {
          names.add(name as string);
        }
      }
    }
  };
  visit('functions');
  visit('shared');
  return [...names].sort();
}

type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: MetricRow[] };
}

const { template } = synthStack();
const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
/** The dashboard's body, with each reference written `Ref:<logical id>`. */
const body = JSON.parse(
  ((dashboards[0]?.Properties.DashboardBody['Fn::Join'][1] ?? []) as unknown[])
    .map((part) => (typeof part === 'string' ? part : `Ref:${(part as { Ref: string }).Ref}`))
    .join(''),
) as { widgets: Widget[] };
const widget = (title: string): Widget => {
  const found = body.widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget ${title}`);
  return found;
};
/** A widget's metrics, each as one line: namespace, name, dimensions, then its options as JSON. */
const rowsOf = (title: string) =>
  (widget(title).properties.metrics ?? []).map((row) =>
    row.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '),
  );
const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
const idOf = (name: (typeof functionNames)[number]) =>
  functionIds.find((id) => id.startsWith(functionIdPrefix(name)) && !id.includes('Logs')) as string;

describe('the dashboard', () => {
  it('is one dashboard, named in the outputs', () => {
    expect(dashboards).toHaveLength(1);
    template.hasOutput('DashboardName', {
      Value: { Ref: Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0] },
    });
  });

  it("charts every metric the functions emit, in the functions' namespace and dimension", () => {
    const emitted = emittedMetricNames();
    expect(emitted).toEqual(expect.arrayContaining(['SyncRunFailed', 'UsersCreated', 'LogonFailed']));
    const charted = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    for (const name of emitted) {
      expect(
        charted.some(
          (row) => row[0] === 'AdSync' && row[1] === name && row[2] === 'service' && row[3] === 'ad-sync',
        ),
        name,
      ).toBe(true);
    }
  });

  it('counts the runs (every ended run emits SyncRunFailed, 0 or 1), the failed ones, a stale sync, the users changed and refused logons', () => {
    expect(rowsOf('Sync runs')).toEqual([
      expect.stringMatching(/^AdSync SyncRunFailed service ad-sync .*SampleCount/),
      expect.stringMatching(/^AdSync SyncRunFailed service ad-sync .*Sum/),
      expect.stringMatching(/^AdSync SyncThresholdExceeded /),
      expect.stringMatching(/^AdSync SyncStale service ad-sync .*Maximum/),
    ]);
    expect(rowsOf('Users changed by syncs').map((row) => row.split(' ')[1])).toEqual([
      'UsersCreated',
      'UsersUpdated',
      'UsersDeleted',
    ]);
    expect(rowsOf('Refused logons').map((row) => row.split(' ')[1])).toEqual([
      'LogonFailed',
      'LogonLockedOut',
    ]);
  });

  it("shows the sync's durations, and every function's errors and durations", () => {
    expect(rowsOf('Sync duration (ms, per invocation)')).toEqual(
      ['p50', 'p95', 'Maximum'].map((stat) =>
        expect.stringMatching(new RegExp(`^AWS/Lambda Duration FunctionName Ref:${idOf('sync')} .*${stat}`)),
      ),
    );
    for (const [title, metric] of [
      ['Function errors', 'Errors'],
      ['Function duration (ms, p95)', 'Duration'],
    ] as const) {
      const rows = rowsOf(title);
      for (const name of functionNames) {
        expect(
          rows.some((row) => row.startsWith(`AWS/Lambda ${metric} FunctionName Ref:${idOf(name)}`)),
          name,
        ).toBe(true);
      }
    }
  });
});
