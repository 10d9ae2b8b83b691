/**
 * Per-attribute access control on one object, as an administrator sets it in AD: an explicit ACE that denies
 * an account "read property" on one attribute (MS-DTYP 2.4.4.4, ACCESS_DENIED_OBJECT_ACE). The DC then
 * returns the object to that account without the attribute, as AD does; this is what a sync meets when the
 * bind account was not given the read rights it needs.
 */
import { Attribute, Ber, BerWriter, Change, type Client, Control } from 'ldapts';

/** LDAP_SERVER_SD_FLAGS_OID: read and write only the parts of nTSecurityDescriptor named by the flags. */
const SD_FLAGS_OID = '1.2.840.113556.1.4.801';
const DACL_SECURITY_INFORMATION = 0x4;
const ACCESS_DENIED_OBJECT_ACE_TYPE = 0x06;
const ADS_RIGHT_DS_READ_PROP = 0x10;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACL_REVISION_DS = 4;
const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
/** The DACL's own control bits (auto-inherited, protected, ...), kept as they were. */
const DACL_CONTROL_BITS = 0x1000 | 0x0400 | 0x0100 | 0x0008;

class SdFlagsControl extends Control {
  constructor(private readonly flags: number) {
    super(SD_FLAGS_OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags);
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }
}

async function binaryAttribute(client: Client, dn: string, attribute: string, control?: Control) {
  const { searchEntries } = await client.search(
    dn,
    { scope: 'base', attributes: [attribute], explicitBufferAttributes: [attribute] },
    control,
  );
  const value = searchEntries[0]?.[attribute];
  const bytes = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(bytes)) throw new Error(`${dn} has no readable ${attribute}`);
  return bytes;
}

/** The DACL of a self-relative security descriptor, with one ACE put first (explicit denies come first). */
function withAceFirst(descriptor: Buffer, ace: Buffer): Buffer {
  const control = descriptor.readUInt16LE(2);
  const daclOffset = descriptor.readUInt32LE(16);
  if ((control & SE_DACL_PRESENT) === 0 || daclOffset === 0) throw new Error('the object has no DACL');
  const aclSize = descriptor.readUInt16LE(daclOffset + 2);
  const aceCount = descriptor.readUInt16LE(daclOffset + 4);
  const aces = descriptor.subarray(daclOffset + 8, daclOffset + aclSize);
  const acl = Buffer.alloc(8);
  acl.writeUInt8(ACL_REVISION_DS, 0);
  acl.writeUInt16LE(8 + ace.length + aces.length, 2);
  acl.writeUInt16LE(aceCount + 1, 4);
  // A descriptor with the DACL only: the SD flags control makes the DC change nothing else.
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(SE_SELF_RELATIVE | SE_DACL_PRESENT | (control & DACL_CONTROL_BITS), 2);
  header.writeUInt32LE(20, 16);
  return Buffer.concat([header, acl, ace, aces]);
}

/**
 * Denies `trusteeDn` reading `attribute` on `objectDn`; `restore()` puts the DACL back as it was. The
 * scratch OU's removal removes the object and its ACL anyway.
 */
export async function denyReadingAttribute(
  admin: Client,
  { objectDn, trusteeDn, attribute }: { objectDn: string; trusteeDn: string; attribute: string },
): Promise<{ restore(): Promise<void> }> {
  const { searchEntries: root } = await admin.search('', {
    scope: 'base',
    attributes: ['schemaNamingContext'],
  });
  const schema = String(root[0]?.schemaNamingContext);
  const { searchEntries: definitions } = await admin.search(schema, {
    scope: 'one',
    filter: `(lDAPDisplayName=${attribute})`,
    attributes: ['schemaIDGUID'],
    explicitBufferAttributes: ['schemaIDGUID'],
  });
  const schemaIdGuid = definitions[0]?.schemaIDGUID;
  if (!Buffer.isBuffer(schemaIdGuid)) throw new Error(`the schema has no ${attribute}`);
  const sid = await binaryAttribute(admin, trusteeDn, 'objectSid');
  const daclOnly = new SdFlagsControl(DACL_SECURITY_INFORMATION);
  const before = await binaryAttribute(admin, objectDn, 'nTSecurityDescriptor', daclOnly);

  const ace = Buffer.alloc(28 + sid.length);
  ace.writeUInt8(ACCESS_DENIED_OBJECT_ACE_TYPE, 0);
  ace.writeUInt8(0, 1);
  ace.writeUInt16LE(ace.length, 2);
  ace.writeUInt32LE(ADS_RIGHT_DS_READ_PROP, 4);
  ace.writeUInt32LE(ACE_OBJECT_TYPE_PRESENT, 8);
  schemaIdGuid.copy(ace, 12);
  sid.copy(ace, 28);

  const write = (descriptor: Buffer) =>
    admin.modify(
      objectDn,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'nTSecurityDescriptor', values: [descriptor] }),
      }),
      daclOnly,
    );
  await write(withAceFirst(before, ace));
  return { restore: () => write(before) };
}
