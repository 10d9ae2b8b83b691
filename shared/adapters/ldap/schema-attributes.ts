import { AndFilter, type Client, EqualityFilter, InsufficientAccessError, NoSuchObjectError } from 'ldapts';
import { single } from './user-entry';

/**
 * Whether the schema defines an attribute (an attributeSchema object with this lDAPDisplayName that is not
 * defunct). Where the schema lacks an attribute, no entry has it and no search or filter on it says so: an
 * absent msExchHideFromAddressLists would read as "not hidden" for everyone; hence the check. A schema the
 * bind account may not read counts as lacking it.
 */
export async function attributeInSchema(
  client: Client,
  schemaNamingContext: string | undefined,
  lDAPDisplayName: string,
): Promise<boolean> {
  if (!schemaNamingContext) return false;
  try {
    const { searchEntries } = await client.search(schemaNamingContext, {
      scope: 'one',
      filter: new AndFilter({
        filters: [
          new EqualityFilter({ attribute: 'objectClass', value: 'attributeSchema' }),
          new EqualityFilter({ attribute: 'lDAPDisplayName', value: lDAPDisplayName }),
        ],
      }),
      attributes: ['isDefunct'],
    });
    return searchEntries.some((entry) => single(entry.isDefunct)?.toUpperCase() !== 'TRUE');
  } catch (error) {
    if (error instanceof NoSuchObjectError || error instanceof InsufficientAccessError) return false;
    throw error;
  }
}
