import { describe, expect, it } from 'vitest';
import { preferredWait } from '../../../shared/api/prefer';

describe('Prefer: wait=N (RFC 7240)', () => {
  it.each([
    ['wait=10', 10],
    ['WAIT=10', 10],
    [' wait = 7 ', 7],
    ['wait="12"', 12],
    ['respond-async, wait=5', 5],
    ['wait=5; foo=bar', 5],
    ['handling=lenient,wait=3', 3],
    ['wait=0', 0],
  ])('%j asks to wait %i seconds', (header, seconds) => {
    expect(preferredWait(header, 300)).toBe(seconds);
  });

  it('caps the wait at what the server honours', () => {
    expect(preferredWait('wait=600', 25)).toBe(25);
    expect(preferredWait('wait=999999999', 25)).toBe(25);
  });

  it.each([
    undefined,
    '',
    'respond-async',
    'wait',
    'wait=',
    'wait=-1',
    'wait=1.5',
    'wait=ten',
    'wait=1e3',
    'waiting=5',
    'nowait=5',
    'wait=12345678901',
  ])('ignores %j (no wait)', (header) => {
    expect(preferredWait(header, 300)).toBeUndefined();
  });
});
