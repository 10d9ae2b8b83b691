/**
 * The mapping the benchmarks measure (SPEC 8.3: 10 mapped fields, one of them an expression), over the
 * attributes every bench user has.
 */
import type { ConfigInput } from '../shared/config/config-schema';

export const BENCH_MAPPING: NonNullable<ConfigInput['mapping']> = {
  attributes: {
    login: { from: 'sAMAccountName', transform: 'upper' },
    upn: { from: 'userPrincipalName', transform: 'lower' },
    display: { from: 'displayName' },
    common: { from: 'cn' },
    addresses: { from: 'proxyAddresses', transform: 'all' },
    flags: { from: 'userAccountControl', transform: 'int' },
    created: { from: 'whenCreated', transform: 'date' },
    sid: { from: 'objectSid', transform: 'sid' },
    guid: { from: 'objectGUID', transform: 'guid' },
    label: { expression: 'displayName & " <" & mail & ">"' },
  },
};
