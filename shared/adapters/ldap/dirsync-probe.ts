/**
 * Whether the bind account may use DirSync (the control that returns deletions and moves across the naming
 * context): one DirSync search that finds nothing, asked at a full read and kept with the cursor.
 */
import {
  Ber,
  BerWriter,
  type Client,
  Control,
  EqualityFilter,
  ResultCodeError,
  UnavailableCriticalExtensionError,
} from 'ldapts';
import type { DirSyncAccess } from '../../ports/directory-reader';

const DIRSYNC_OID = '1.2.840.113556.1.4.841';

/** The DirSync request control (MS-ADTS 3.1.1.3.4.1.3): no flags, 1 MB at most, no cookie (a first call). */
class DirSyncControl extends Control {
  constructor() {
    super(DIRSYNC_OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(0);
    value.writeInt(1024 * 1024);
    value.writeString('');
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }
}

/**
 * What the DC answers a DirSync search of the naming context: `unsupported` without a naming context or
 * where the control is unknown, `notPermitted` on any refusal, `unknown` when no answer came (a timeout, a
 * dropped connection, anything else). It never throws: the probe is informational, and runs beside the read,
 * so its failure must not fail a run; a connection that is really gone fails the read itself.
 */
export async function probeDirSync(
  client: Client,
  namingContext: string | undefined,
): Promise<DirSyncAccess> {
  if (!namingContext) return 'unsupported';
  try {
    // A DirSync search for an objectGUID no object has: it answers at once, with nothing, if allowed.
    await client.search(
      namingContext,
      {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'objectGUID', value: Buffer.alloc(16) }),
        attributes: ['objectGUID'],
      },
      new DirSyncControl(),
    );
    return 'permitted';
  } catch (error) {
    if (error instanceof UnavailableCriticalExtensionError) return 'unsupported';
    // Any refusal by the server (insufficient access, unwilling to perform): the account may not use it.
    if (error instanceof ResultCodeError) return 'notPermitted';
    return 'unknown';
  }
}
