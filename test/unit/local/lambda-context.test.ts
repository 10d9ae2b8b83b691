/** The Lambda context the local stack hands its functions: the deadline, on the clock it is given. */
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { TestClock } from '../../support/test-clock';

describe('lambdaContext', () => {
  it('counts the time left down on its clock, and stops at 0', async () => {
    const clock = new TestClock();
    const context = lambdaContext('sync', 60_000, clock);
    expect(context.getRemainingTimeInMillis()).toBe(60_000);
    await clock.advance(45_000);
    expect(context.getRemainingTimeInMillis()).toBe(15_000);
    await clock.advance(20_000);
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });

  it('gives a function 15 minutes by default', () => {
    expect(lambdaContext('sync', undefined, new TestClock()).getRemainingTimeInMillis()).toBe(15 * 60_000);
  });
});
