/**
 * The events that start an operation in its worker function (functions/sync.ts, functions/test-settings.ts),
 * sent by the start function (an asynchronous invocation in AWS, a call in process on the local stack), and
 * validated by the worker: a worker runs only what the start function recorded (see start-sync.ts and
 * previews.ts), whatever an event claims.
 */
import * as z from 'zod';
import { configSchema } from '../../config/config-schema';
import type { PreviewStart, SyncStart } from '../../ports/operation-starter';

export const syncStartEvent = z.strictObject({
  source: z.literal('ad-sync.start'),
  runId: z.string().min(1).max(128),
  configVersion: z.int().min(0),
  approvedDeletes: z.int().min(1).optional(),
  // Any name the route accepts (directoryUserParameter): a longer one would be dropped here, unrun.
  user: z.string().min(1).max(2048).optional(),
  trigger: z.literal('notification').optional(),
});

export const previewStartEvent = z.strictObject({
  source: z.literal('ad-sync.preview'),
  previewId: z.string().min(1).max(128),
  config: configSchema.optional(),
  password: z.string().min(1).max(1024).optional(),
});

export type SyncStartEvent = z.infer<typeof syncStartEvent>;
export type PreviewStartEvent = z.infer<typeof previewStartEvent>;

export const toSyncStartEvent = (start: SyncStart): SyncStartEvent => ({ source: 'ad-sync.start', ...start });
export const toPreviewStartEvent = (start: PreviewStart): PreviewStartEvent => ({
  source: 'ad-sync.preview',
  ...start,
});

/** The start an event carries, without its `source`. */
export const syncStartOf = ({
  runId,
  configVersion,
  approvedDeletes,
  user,
  trigger,
}: SyncStartEvent): SyncStart => ({
  runId,
  configVersion,
  ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
  ...(user !== undefined ? { user } : {}),
  ...(trigger !== undefined ? { trigger } : {}),
});
export const previewStartOf = ({ previewId, config, password }: PreviewStartEvent): PreviewStart => ({
  previewId,
  ...(config !== undefined ? { config } : {}),
  ...(password !== undefined ? { password } : {}),
});
