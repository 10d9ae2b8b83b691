/**
 * objectGUID in the string form AD tools show (`{...}` without braces): the first three fields are stored
 * little-endian, the last two big-endian.
 */
export function formatObjectGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`an objectGUID has 16 bytes, not ${bytes.length}`);
  const hex = (from: number, to: number, reverse: boolean): string => {
    const slice = Buffer.from(bytes.subarray(from, to));
    return (reverse ? slice.reverse() : slice).toString('hex');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** The inverse of formatObjectGuid: the 16 bytes as AD stores them. */
export function parseObjectGuid(guid: string): Buffer {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid);
  if (!match) throw new Error(`"${guid}" is not a GUID`);
  const part = (i: number, reverse: boolean): Buffer => {
    const buffer = Buffer.from(match[i] as string, 'hex');
    return reverse ? buffer.reverse() : buffer;
  };
  return Buffer.concat([part(1, true), part(2, true), part(3, true), part(4, false), part(5, false)]);
}
