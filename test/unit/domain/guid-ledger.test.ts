import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuidLedger } from '../../../shared/domain/guid-ledger';
import { exclusionReasonList } from '../../../shared/domain/scope-policy';

const guid = fc.uuid();
const reasons = fc.subarray([...exclusionReasonList]);

describe('GuidLedger', () => {
  it('answers like a map of objectGUIDs to exclusion reasons, through every growth of its table', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(guid, reasons), { maxLength: 3000 }),
        fc.array(guid, { maxLength: 50 }),
        (adds, probes) => {
          const ledger = new GuidLedger(4);
          const model = new Map<string, string[]>();
          for (const [g, r] of adds) {
            ledger.add(g, r);
            model.set(g.toLowerCase(), r);
          }
          expect(ledger.size).toBe(model.size);
          for (const [g, r] of model) {
            expect(ledger.has(g)).toBe(true);
            expect(ledger.reasonsOf(g.toUpperCase())).toEqual(
              exclusionReasonList.filter((x) => r.includes(x)),
            );
          }
          for (const g of probes) {
            expect(ledger.has(g)).toBe(model.has(g.toLowerCase()));
            expect(ledger.reasonsOf(g) === undefined).toBe(!model.has(g.toLowerCase()));
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('keeps the last answer for a user read twice, and tells in scope ([]) from not read (undefined)', () => {
    const ledger = new GuidLedger();
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    ledger.add(id, ['disabled', 'noEmailAddress']);
    expect(ledger.reasonsOf(id)).toEqual(['noEmailAddress', 'disabled']);
    ledger.add(id);
    expect(ledger.reasonsOf(id)).toEqual([]);
    expect(ledger.size).toBe(1);
    expect(ledger.reasonsOf('7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBeUndefined();
  });

  it('holds a million users in well under 64 MB', () => {
    const ledger = new GuidLedger();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 1_000_000; i++)
      ledger.add(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
    expect(ledger.size).toBe(1_000_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(ledger.has('00000000-0000-4000-8000-0000000f423f')).toBe(true);
    expect(ledger.has('00000000-0000-4000-8000-0000000f4240')).toBe(false);
  });

  it('refuses what is not a GUID', () => {
    expect(() => new GuidLedger().add('not-a-guid')).toThrow(/not a GUID/);
  });
});
