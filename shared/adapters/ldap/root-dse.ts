/** The rootDSE (anonymously readable on every DC): what a session keeps of it when it opens. */
import type { Client } from 'ldapts';
import type { RootDse } from '../../ports/directory-reader';
import { many, single } from './user-entry';

/** The rootDSE's naming contexts and host name, and the schema's naming context (for schema lookups). */
export async function readRootDse(
  client: Client,
): Promise<{ rootDse: RootDse; schemaNamingContext: string | undefined }> {
  const { searchEntries } = await client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['defaultNamingContext', 'namingContexts', 'dnsHostName', 'schemaNamingContext'],
  });
  const entry = searchEntries[0] ?? { dn: '' };
  const defaultNamingContext = single(entry.defaultNamingContext);
  const dnsHostName = single(entry.dnsHostName);
  return {
    rootDse: {
      ...(defaultNamingContext ? { defaultNamingContext } : {}),
      namingContexts: many(entry.namingContexts),
      ...(dnsHostName ? { dnsHostName } : {}),
    },
    schemaNamingContext: single(entry.schemaNamingContext),
  };
}
