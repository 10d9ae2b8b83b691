/** What the console keeps while its tab is open: the API client, unsaved settings, the latest results. */
import type { ApiClient } from '../../shared/api/client';
import type { ConfigFormValues, FormField } from './config-form';
import type { FollowedOperation } from './progress-view';
import type { Report } from './types';

export type Route = 'directory' | 'test' | 'sync' | 'runs' | 'users' | 'groups';

export interface DirectoryDraft {
  /** The form's values, which may differ from the saved configuration. */
  values: ConfigFormValues;
  /** A password typed but not saved yet ('' = keep the saved one). Memory only. */
  password: string;
  /** The configuration version the draft was started from (or last saved as). */
  baseVersion: number;
  /** Whether the values differ from what was loaded. */
  dirty: boolean;
}

export interface AppState {
  readonly api: ApiClient;
  draft?: DirectoryDraft | undefined;
  /** A message to show at a Directory Services field when that page opens next (from a failed test). */
  pendingFieldError?: { readonly field: FormField; readonly message: string } | undefined;
  lastTest?: { readonly report: Report; readonly unsaved: boolean };
  lastSync?: Report;
  /** The sync being followed: the page shows its progress even after navigating away and back. */
  syncInFlight?: FollowedOperation | undefined;
  /** The Test Settings being followed, and whether it tests unsaved settings. */
  testInFlight?: { readonly operation: FollowedOperation; readonly unsaved: boolean } | undefined;
  /** Withheld deletes a banner's button approved: Synchronize now runs with this approval when it opens. */
  pendingApproval?: { readonly runId: string; readonly deletes: number } | undefined;
  /** Draws the banners again (after a sync: what they say may have changed). */
  refreshBanners?: () => void;
  navigate(route: Route): void;
  /** Opens Directory Services with this message at the field (a failure that names a setting). */
  editField(field: FormField, message: string): void;
}
