/** The API's schemas of attribute mapping (docs/contract.md#attribute-mapping): mapped values, changed fields. */
import * as z from 'zod';

/** A mapped attribute's value (docs/contract.md#attribute-mapping). */
export const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
export const mappedAttributes = z
  .record(z.string(), attributeValue)
  .describe("the fields of the configuration's mapping.attributes, as the directory gave them");
/** A field a change set: one of the User's, or a mapped attribute (`attributes.<field>`). */
export const changedField = z.union([
  z.enum([
    'userName',
    'fullName',
    'emailAddresses',
    'distinguishedName',
    'userPrincipalName',
    'objectGuid',
    'groups',
    'groupPrivileges',
    'groupArchiveAccess',
  ]),
  z.templateLiteral(['attributes.', z.string()]),
]);
