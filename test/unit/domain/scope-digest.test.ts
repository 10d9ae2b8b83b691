/**
 * The digest of the scope's objectGUIDs (shared/domain/scope-digest.ts): the same set gives the same digest in
 * any order, and a set with any user more, fewer or another gives another. A run trusts "no leavers" to it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScopeDigest } from '../../../shared/domain/scope-digest';

const digestOf = (guids: readonly string[]): string => {
  const digest = new ScopeDigest();
  for (const guid of guids) digest.add(guid);
  return digest.toString();
};

/** Sets of distinct GUIDs, as the enumeration yields them. */
const guidSets = fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 40 });

describe('ScopeDigest', () => {
  it('is the same for the same users in any order, and counts them', () => {
    const inTwoOrders = guidSets.chain((guids) =>
      fc.tuple(fc.constant(guids), fc.shuffledSubarray(guids, { minLength: guids.length })),
    );
    fc.assert(
      fc.property(inTwoOrders, ([guids, shuffled]) => {
        expect(digestOf(shuffled)).toBe(digestOf(guids));
        expect(digestOf(guids).startsWith(`${guids.length}:`)).toBe(true);
      }),
    );
  });

  it('differs when one user left, one came, or one was replaced by another', () => {
    fc.assert(
      fc.property(guidSets, fc.uuid(), (guids, other) => {
        fc.pre(!guids.includes(other));
        const before = digestOf(guids);
        expect(digestOf(guids.slice(1))).not.toBe(before);
        expect(digestOf([...guids, other])).not.toBe(before);
        expect(digestOf([other, ...guids.slice(1)])).not.toBe(before);
      }),
    );
  });

  it('reads a GUID in any case, with or without dashes, as the same user', () => {
    const guid = '926f0651-bc58-4811-936d-c2c8b1e41235';
    expect(digestOf([guid.toUpperCase()])).toBe(digestOf([guid]));
    expect(digestOf([guid.replaceAll('-', '')])).toBe(digestOf([guid]));
  });

  it('cannot be cancelled out by a pair of users whose GUIDs XOR or add up to nothing', () => {
    // XOR (or a word-wise sum) of the GUIDs themselves would let two crafted GUIDs stand for two that left.
    const left = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
    const came = ['00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000000'];
    expect(digestOf(came)).not.toBe(digestOf(left));
  });

  it('refuses what is not a GUID', () => {
    expect(() => new ScopeDigest().add('not-a-guid')).toThrow('is not a GUID');
    expect(() => new ScopeDigest().add('926f0651-bc58-4811-936d-c2c8b1e4123')).toThrow('is not a GUID');
  });
});
