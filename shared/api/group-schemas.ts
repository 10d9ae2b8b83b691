/** The synchronized groups' API bodies (docs/contract.md#groups): the GET /groups routes' queries and answers. */
import * as z from 'zod';
import { ARCHIVE_ACCESS, PRIVILEGES } from '../config/config-schema';
import type { Group as DomainGroup } from '../domain/group';
import type { MembershipExplanation } from '../domain/group-membership';
import type { listGroupMembers, listGroups } from '../use-cases/browse-groups';
import { documenting } from './documenting';

export const groupsPageQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
export const groupNameParameter = z.strictObject({
  name: z.string().min(1).max(256).describe("the group's name (sAMAccountName), case-insensitive"),
});
export const groupMembersQuery = z.strictObject({
  transitive: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: the members of nested groups too (each once); default false: direct members'),
  cursor: z.string().max(2048).optional(),
});

export const group = documenting<DomainGroup>()(
  z.object({
    name: z.string().describe('sAMAccountName'),
    displayName: z.string(),
    distinguishedName: z.string(),
    objectGuid: z.string(),
    description: z.string().optional(),
    emailAddresses: z.array(z.string()),
    kind: z.enum(['security', 'distribution']),
    scope: z.enum(['global', 'domainLocal', 'universal']),
    memberCount: z.int().describe('its direct members that are synchronized users or groups'),
  }),
);

const groupMember = z.object({
  type: z.enum(['user', 'group']),
  name: z.string(),
  objectGuid: z.string(),
});

/** 200 of GET /groups: a page of synchronized groups in name order. */
export const groupsPage = documenting<Awaited<ReturnType<typeof listGroups>>>()(
  z.object({ groups: z.array(group), cursor: z.string().optional() }),
);
/** 200 of GET /groups/{name}/members: synchronized users and groups only. */
export const groupMembers = documenting<Awaited<ReturnType<typeof listGroupMembers>>>()(
  z.object({ members: z.array(groupMember), cursor: z.string().optional() }),
);

/** What a user's groups give it, and why: Test Settings' creates and membership updates, and explain (SPEC 8.2). */
export const membershipExplanation = documenting<MembershipExplanation>()(
  z
    .object({
      groups: z.array(z.string()).describe('the synchronized groups it belongs to, nested included'),
      groupPrivileges: z.array(z.enum(PRIVILEGES)),
      groupArchiveAccess: z.array(z.enum(ARCHIVE_ACCESS)),
      rules: z
        .array(
          z.object({
            rule: z.int().describe('the index of the rule in privilegeRules'),
            group: z.string().describe("the rule's group (DN)"),
            privileges: z.array(z.enum(PRIVILEGES)),
            ownArchiveAccess: z.array(z.enum(ARCHIVE_ACCESS)),
            via: z
              .array(z.string())
              .describe("the groups from one the user is directly in up to the rule's group (names)"),
          }),
        )
        .describe('each privilege rule that gives it something, and through which groups'),
    })
    .describe("what the user's groups would give it, and why (when the configuration uses groups)"),
);

export type Group = z.output<typeof group>;
export type GroupsPage = z.output<typeof groupsPage>;
export type GroupMembers = z.output<typeof groupMembers>;
