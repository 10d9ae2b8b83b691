/** The API's bodies as the console sees them: types only, inferred from the API's own schemas. */
import type {
  BaseDns,
  ConfigurationBody,
  Group,
  GroupMembers,
  Groups,
  GroupsPage,
  Progress,
  Report,
  RunHistoryBody,
  RunSummary,
  User,
  UserExplanationBody,
  UsersPage,
} from '../../shared/api/schemas';
import type { ArchiveAccess, Config, ConfigInput, Privilege } from '../../shared/config/config-schema';

export type {
  ArchiveAccess,
  BaseDns,
  Config,
  ConfigInput,
  Group,
  GroupMembers,
  Groups,
  GroupsPage,
  Privilege,
  Progress,
  Report,
  RunSummary,
  User,
  UsersPage,
};
export type ConfigurationView = ConfigurationBody;
export type RunHistory = RunHistoryBody;
export type UserExplanation = UserExplanationBody;
export type ReportChange = Report['changes'][number];
export type ReportExclusion = Report['excluded'][number];
export type ChangeAction = ReportChange['action'];
export type ExclusionReason = ReportExclusion['reasons'][number];
export type DirectoryGroup = Groups['groups'][number];

export type { FieldIssue } from '../../shared/errors';
