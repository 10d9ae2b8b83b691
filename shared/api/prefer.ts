/**
 * The `wait` preference of RFC 7240 (`Prefer: wait=N`): how long a client is willing to wait for a long
 * operation's result. Preferences are comma-separated, names case-insensitive, values a token or a quoted
 * string; a preference the server does not understand, or a malformed one, is ignored (section 2).
 */

/** The seconds a `Prefer` header asks to wait, at most `max`; undefined when it asks for none. */
export function preferredWait(header: string | undefined, max: number): number | undefined {
  if (!header) return undefined;
  for (const preference of header.split(',')) {
    const [token] = preference.split(';');
    const match = /^\s*wait\s*=\s*"?(\d{1,9})"?\s*$/i.exec(token ?? '');
    if (match) return Math.min(Number(match[1]), max);
  }
  return undefined;
}
