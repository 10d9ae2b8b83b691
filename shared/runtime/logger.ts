import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs (Powertools). Never given the bind password or a secret value. */
export const logger = new Logger({ serviceName: 'ad-sync' });
