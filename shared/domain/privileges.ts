/** The application's privileges and own-archive access rights (SPEC 2), in the order they are shown. */
export const PRIVILEGES = [
  'login',
  'changePassword',
  'archiveEmail',
  'modifyArchiveProfiles',
  'deleteArchiveProfiles',
  'exportEmail',
  'modifyExportProfiles',
  'deleteExportProfiles',
  'deleteMessages',
] as const;
export const ARCHIVE_ACCESS = ['read', 'write', 'delete'] as const;

export type Privilege = (typeof PRIVILEGES)[number];
export type ArchiveAccess = (typeof ARCHIVE_ACCESS)[number];
