/**
 * What a sync of the fixture directory should produce, computed straight from the LDIF (an oracle
 * independent of the product's mapping code): in scope are user objects with an address (`mail` or an SMTP
 * proxy address) that are enabled, optionally limited to the transitive members of a group.
 */
import { builtInUsers, FixtureDirectory } from './fixture-directory';
import { type LdifEntry, valuesOf } from './ldif';

export interface ExpectedSync {
  readonly inScope: string[];
  readonly excluded: Map<string, string[]>;
  readonly directoryUsers: number;
}

const hasAddress = (user: LdifEntry): boolean =>
  valuesOf(user, 'mail').length > 0 || valuesOf(user, 'proxyAddresses').some((p) => /^smtp:/i.test(p));

export function expectedSync(fixture: FixtureDirectory, options: { group?: string } = {}): ExpectedSync {
  const members = options.group
    ? new Set(fixture.transitiveUserMembers(fixture.group(options.group)).map(FixtureDirectory.accountName))
    : undefined;
  const inScope: string[] = [];
  const excluded = new Map<string, string[]>();
  for (const user of fixture.users) {
    const name = FixtureDirectory.accountName(user);
    const reasons = [
      ...(hasAddress(user) ? [] : ['noEmailAddress']),
      ...(FixtureDirectory.isDisabled(user) ? ['disabled'] : []),
      ...(members && !members.has(name) ? ['notInSelectedGroups'] : []),
    ];
    if (reasons.length === 0) inScope.push(name);
    else excluded.set(name, reasons);
  }
  // The domain's own accounts have no address; Guest and krbtgt are disabled too.
  const groupReason = members ? ['notInSelectedGroups'] : [];
  for (const name of builtInUsers.enabled) excluded.set(name, ['noEmailAddress', ...groupReason]);
  for (const name of builtInUsers.disabled)
    excluded.set(name, ['noEmailAddress', 'disabled', ...groupReason]);
  const directoryUsers = fixture.users.length + builtInUsers.enabled.length + builtInUsers.disabled.length;
  return { inScope: inScope.sort(), excluded, directoryUsers };
}
