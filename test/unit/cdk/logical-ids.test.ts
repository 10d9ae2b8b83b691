import { describe, expect, it } from 'vitest';
import { synthStack } from '../../support/iam-policy';

/**
 * Logical ids of a deployed stack: a changed one makes CloudFormation replace the resource (a new, empty
 * table; a new API URL; new subnets). These are the ids the stack was first deployed with, when it was one
 * construct; its parts (cdk/stack-part.ts) must keep them.
 */
const DEPLOYED = [
  'TableCD117FA1',
  'BindPasswordEE2FD0A0',
  'Vpc8378EB38',
  'VpcisolatedSubnet1SubnetE62B1B9B',
  'VpcisolatedSubnet2Subnet39217055',
  'VpcDynamoDbEndpoint564903D1',
  'SecretsManagerEndpoint5E83C66B',
  'EndpointSecurityGroupF840B798',
  'DirectoryFunctionsSecurityGroup0A97CAAA',
  // Ids made from another construct's unique id: the other security group, the table, the API.
  'EndpointSecurityGroupfromAdSyncDirectoryFunctionsSecurityGroupAFC9B520443AC4E58A0',
  'DirectoryFunctionsSecurityGrouptoAdSyncEndpointSecurityGroupC6E7F31D443191E1B59',
  'SyncFunctionDynamoDBEventSourceAdSyncTableD0199D600D857957',
  'ApiconfigGETApiPermissionAdSyncApi6BE6ABE9GETconfigDEDC4D52',
  'SyncFunction954A8072',
  'ConfigFunctionC994C47F',
  'TestSettingsFunction90246214',
  'SyncFailures623BB60A',
  'ApiF70053CD',
  'Schedule',
  'SchedulerRole59E73443',
  'AlarmTopicD01E77F9',
  'SyncFunctionErrorsB71CF6F9',
  'SyncFunctionEventInvokeConfig302591EE',
];

/**
 * Ids the long operations (SPEC 7.1) added, pinned from then on: the start function, the asynchronous
 * invoke configuration of the test-settings worker, and the preview route. None of the ids above changed
 * with them (only the API deployment's, a hash of the API that changes with every route, as it must).
 */
const ADDED_WITH_LONG_OPERATIONS = [
  'StartFunctionBAC07897',
  'StartFunctionServiceRoleDC64967B',
  'StartFunctionLogs8D595A45',
  'StartFunctionErrorsC6146ED2',
  'TestSettingsFunctionEventInvokeConfig31F7916E',
  'ApitestsettingspreviewIdGET6FB3C1E6',
];

/**
 * Ids the admin console in AWS (SPEC 7.2, cdk/console.ts) added, pinned from then on: a new user pool would
 * lose every administrator (and its deletion protection would stop the deploy), a new distribution or
 * domain would change the console's and the sign-in's addresses, a new identity pool or role every
 * administrator's credentials, a new bucket what is served.
 */
const ADDED_WITH_THE_CONSOLE = [
  'ConsoleUserPoolD31988A6',
  'ConsoleUserPoolSignInDomain96B71B16',
  'ConsoleUserPoolClientCBCDE4FF',
  'ConsoleSignInBranding',
  'ConsoleIdentityPool',
  'ConsoleIdentityPoolRoles',
  'ConsoleAdminRole4A7582F2',
  'ConsoleBucketA1BD9FF9',
  'ConsoleLogs00024E65',
  'ConsoleHeadersF22F5726',
  'ConsoleOriginAccessBB3162A5',
  'ConsoleDistributionBC1120EB',
];

/**
 * Ids the logon (SPEC 7.3) added, pinned from then on: its function, role, log group, errors alarm, the
 * alarm on a burst of refused logons, and the route's method. None of the ids above changed with them.
 */
const ADDED_WITH_LOGON = [
  'LogonFunction90F9B5B5',
  'LogonFunctionServiceRoleFA85831F',
  'LogonFunctionLogs4CB1F14C',
  'LogonFunctionErrorsC619CC9D',
  'LogonFailuresAlarm0C97AF7B',
  'ApilogonPOST0EB1CF46',
];

/**
 * The id of the credentials table (local users' password hashes, out of the one table's stream), pinned from
 * then on: a new table would be an empty one, and every local user's password lost.
 */
const ADDED_WITH_THE_CREDENTIALS_TABLE = ['CredentialsF8F243AA'];

// At load, as in stack.test.ts: the first synthesis in a process takes longer than a test may.
const { template } = synthStack();

describe('the AdSync stack, split into parts', () => {
  it('keeps the logical ids the stack was deployed with', () => {
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(expect.arrayContaining(DEPLOYED));
  });

  it('keeps the ids the long operations added', () => {
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(expect.arrayContaining(ADDED_WITH_LONG_OPERATIONS));
  });

  it('keeps the ids the admin console added', () => {
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(expect.arrayContaining(ADDED_WITH_THE_CONSOLE));
  });

  it('keeps the ids the logon added', () => {
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(expect.arrayContaining(ADDED_WITH_LOGON));
  });

  it('keeps the id of the credentials table', () => {
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(expect.arrayContaining(ADDED_WITH_THE_CREDENTIALS_TABLE));
  });
});
