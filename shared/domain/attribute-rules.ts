/**
 * The rules of attribute mapping (docs/contract.md#attribute-mapping), as the configuration states them, their
 * limits, and the checks of names and values. Pure. A rule as a whole (its expression compiled) is checked by
 * shared/config/mapping-rules.ts.
 */

/** What `mapping.userName` may name: the directory attribute a user's name is taken from. */
export const USER_NAME_SOURCES = ['sAMAccountName', 'userPrincipalName', 'mail'] as const;
export type UserNameSource = (typeof USER_NAME_SOURCES)[number];

export const TRANSFORMS = [
  'first',
  'all',
  'lower',
  'upper',
  'userName',
  'guid',
  'sid',
  'date',
  'bool',
  'int',
] as const;
export type Transform = (typeof TRANSFORMS)[number];

/** A mapped value: a string, a number, a boolean, or a list of strings. */
export type AttributeValue = string | number | boolean | readonly string[];
export type MappedAttributes = Readonly<Record<string, AttributeValue>>;

/** A field from one attribute (or the first of several that has a value), transformed. */
export interface SourceRule {
  /** The attributes, in order of preference: the first that has a value is used. */
  readonly from: readonly string[];
  readonly transform?: Transform;
  /** The value when none of the attributes has one. */
  readonly default?: AttributeValue;
}
/** A field computed by a JSONata expression over the entry's attributes. */
export interface ExpressionRule {
  readonly expression: string;
}
export type AttributeRule = SourceRule | ExpressionRule;

export const isExpressionRule = (rule: AttributeRule): rule is ExpressionRule => 'expression' in rule;

export const MAPPING_BUDGET = {
  maxFields: 50,
  maxExpressionLength: 1000,
  /** A field's value, in UTF-8 bytes of its content (valueBytes). */
  maxValueBytes: 4096,
  /** All of a user's mapped values together, in UTF-8 bytes of their content (valueBytes). */
  maxUserBytes: 32_768,
  /** The time a user's expressions may take together, and the largest string or list one may build. */
  expressionMs: 50,
  expressionResultBytes: 1_048_576,
} as const;

/** 1 to 64 characters, a letter first, then letters, digits and underscores. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** An LDAP attribute's name (its lDAPDisplayName form), never an option (`;range=`, `;binary`). */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * The user's own fields (docs/contract.md's User, and userPrincipalName, which a user records and its events
 * name): a mapped field may not take one's name. Mapped fields are kept apart (the item's `attributes` map),
 * so the item's bookkeeping (version, lastChange) is no User field and its name is free.
 */
const USER_FIELDS = [
  'userName',
  'fullName',
  'emailAddresses',
  'authentication',
  'distinguishedName',
  'userPrincipalName',
  'objectGuid',
  'privileges',
  'ownArchiveAccess',
  'createdAt',
  'updatedAt',
  'suspendedAt',
  'groups',
  'groupPrivileges',
  'groupArchiveAccess',
  'effectivePrivileges',
  'attributes',
].map((name) => name.toLowerCase());

/** objectGUID and objectSid are read as bytes and turned into their string forms by `guid` and `sid`. */
export const READABLE_BINARY = ['objectguid', 'objectsid'] as const;

/**
 * Binary (octet string, SID, security descriptor) attributes of AD's user class and its extensions, by
 * lower-cased name: their bytes are no text, and some are secrets. Refused, objectGUID and objectSid apart.
 */
export const BINARY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'thumbnailphoto',
  'jpegphoto',
  'photo',
  'audio',
  'usercertificate',
  'usersmimecertificate',
  'usercert',
  'cacertificate',
  'mssfu30password',
  'unicodepwd',
  'userpassword',
  'dbcspwd',
  'ntpwdhistory',
  'lmpwdhistory',
  'supplementalcredentials',
  'sidhistory',
  'tokengroups',
  'tokengroupsglobalanduniversal',
  'tokengroupsnogcacceptable',
  'ntsecuritydescriptor',
  'logonhours',
  'ms-ds-consistencyguid',
  'msds-generationid',
  'ms-ds-creatorsid',
  'msexchmailboxguid',
  'msexchmailboxsecuritydescriptor',
  'msexchmastersid',
  'msexchmasteraccountsid',
  'msexcharchiveguid',
  'msexchdisabledarchiveguid',
  'msexchblockedsendershash',
  'msexchsafesendershash',
  'msexchsaferecipientshash',
  'msrtcsip-userroutinggroupid',
  'msds-managedpassword',
  'msds-keycredentiallink',
  'terminalserver',
  'userparameters',
  'securityidentifier',
  'x500uniqueidentifier',
  'replpropertymetadata',
  'replupToDateVector'.toLowerCase(),
  'msmqsigncertificates',
  'msmqdigests',
  'mspki-credentialroamingtokens',
  'mspki-accountcredentials',
]);

/**
 * Attributes that hold secrets as text or bytes (passwords, private keys, recovery keys; most are AD's
 * confidential attributes), by lower-cased name: never mapped, so never copied into the user database, the
 * events or an explanation, whatever the service account may read.
 */
export const SECRET_ATTRIBUTES: ReadonlySet<string> = new Set([
  'unixuserpassword',
  'userpkcs12',
  'mspkiaccountcredentials',
  'mspkidpapimasterkeys',
  'mspkiroamingtimestamp',
  'mspki-credentialroamingtokens',
  'ms-mcs-admpwd',
  'mslaps-password',
  'mslaps-encryptedpassword',
  'mslaps-encryptedpasswordhistory',
  'mslaps-encrypteddsrmpassword',
  'mslaps-encrypteddsrmpasswordhistory',
  'msds-managedpassword',
  'msds-managedpasswordid',
  'msds-managedpasswordpreviousid',
  'msds-groupmsamembership',
  'msfve-recoverypassword',
  'msfve-keypackage',
  'mstpm-ownerinformation',
  'mstpm-tpminformationforcomputer',
  'msds-allowedtoactonbehalfofotheridentity',
  'trustauthincoming',
  'trustauthoutgoing',
  'initialauthincoming',
  'initialauthoutgoing',
  'currentvalue',
  'priorvalue',
]);

/** Why this LDAP attribute name cannot be mapped, or undefined when it can. */
export function attributeProblem(name: string): string | undefined {
  if (!ATTRIBUTE_NAME.test(name)) return `"${name}" is not an LDAP attribute name`;
  if (SECRET_ATTRIBUTES.has(name.toLowerCase()))
    return `${name} holds a secret (a password or a key); it cannot be mapped`;
  if (BINARY_ATTRIBUTES.has(name.toLowerCase()))
    return `${name} is a binary attribute; only objectGUID and objectSid can be mapped (in their string forms)`;
  return undefined;
}

/** Why a field name cannot be used, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  if (!FIELD_NAME.test(name))
    return 'a field name is 1 to 64 characters: a letter, then letters, digits or underscores';
  if (USER_FIELDS.includes(name.toLowerCase())) return `${name} is one of the User's own fields`;
  return undefined;
}

/**
 * The size of a mapped value, as SPEC 8.3's limits count it: the UTF-8 bytes of its content (a list: of its
 * items; a number or boolean: of its text). JSON's quotes, commas and escapes are the carrier's, not the value's:
 * an AD description of exactly 4 KiB fits a field.
 */
export function valueBytes(value: AttributeValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value))
    return value.reduce((sum: number, item: string) => sum + Buffer.byteLength(item, 'utf8'), 0);
  return String(value).length;
}

/** Why a value is not a mapped value (or too large), or undefined when it is one. */
export function valueProblem(value: unknown): string | undefined {
  const kind =
    typeof value === 'string' || typeof value === 'boolean'
      ? 'ok'
      : typeof value === 'number'
        ? Number.isFinite(value)
          ? 'ok'
          : 'not a finite number'
        : Array.isArray(value)
          ? value.every((v) => typeof v === 'string')
            ? 'ok'
            : 'a list of something else than strings'
          : value === null
            ? 'null'
            : typeof value === 'object'
              ? 'an object'
              : typeof value;
  if (kind !== 'ok') return `the value is ${kind}; a value is a string, number, boolean or list of strings`;
  const bytes = valueBytes(value as AttributeValue);
  if (bytes > MAPPING_BUDGET.maxValueBytes)
    return `the value is ${bytes} bytes, more than the ${MAPPING_BUDGET.maxValueBytes} a field may hold`;
  return undefined;
}
