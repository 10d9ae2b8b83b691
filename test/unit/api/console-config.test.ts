/**
 * The console's `/config.json` has one shape (shared/api/console-config.ts): the one the deployment writes
 * (cdk/console.ts) and the one the console reads (console/src/runtime-config.ts) are that shape, checked by
 * the compiler (`npm run typecheck`), so that a field added on one side only fails the build.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ConsoleRuntimeConfig } from '../../../cdk/console';
import type { AwsConfig, LocalConfig, RuntimeConfig } from '../../../console/src/runtime-config';
import type { ConsoleAwsConfig, ConsoleConfig, ConsoleLocalConfig } from '../../../shared/api/console-config';

describe("the console's /config.json", () => {
  it('is written by a deployment in the shape the console reads', () => {
    expectTypeOf<ConsoleRuntimeConfig>().toEqualTypeOf<ConsoleAwsConfig>();
    expectTypeOf<AwsConfig>().toEqualTypeOf<ConsoleAwsConfig>();
  });

  it('is, for the console, either a deployment’s or the local stack’s', () => {
    expectTypeOf<LocalConfig>().toEqualTypeOf<ConsoleLocalConfig>();
    expectTypeOf<RuntimeConfig>().toEqualTypeOf<ConsoleConfig>();
  });
});
