/** The API's bodies as the console sees them: types only, taken from the API's own schemas. */
import type { z } from 'zod';
import type { responses } from '../../shared/api/schemas';
import type { ArchiveAccess, Config, ConfigInput, Privilege } from '../../shared/config/config-schema';

export type { ArchiveAccess, Config, ConfigInput, Privilege };
export type ConfigurationView = z.infer<typeof responses.configuration>;
export type Report = z.infer<typeof responses.report>;
export type ReportChange = Report['changes'][number];
export type ReportExclusion = Report['excluded'][number];
export type ChangeAction = ReportChange['action'];
export type ExclusionReason = ReportExclusion['reasons'][number];
export type RunSummary = z.infer<typeof responses.runs>['runs'][number];
export type User = z.infer<typeof responses.user>;
export type UsersPage = z.infer<typeof responses.users>;
export type BaseDns = z.infer<typeof responses.baseDns>;
export type DirectoryGroup = z.infer<typeof responses.groups>['groups'][number];

export type { FieldIssue } from '../../shared/errors';
export type Runs = z.infer<typeof responses.runs>;
export type Groups = z.infer<typeof responses.groups>;
