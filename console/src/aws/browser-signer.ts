/**
 * The console's SigV4 signer: the shared one (shared/api/sigv4-signer.ts) with a pure-JavaScript SHA-256, so the
 * bundle carries no Node module (the CLI uses Node's hash instead). Web Crypto would do too, but only in a
 * secure context, and the signer wants a synchronous-update hash object, which @aws-crypto/sha256-js is.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import type { SignRequest } from '../../../shared/api/client';
import { type SigV4Options, sigV4 } from '../../../shared/api/sigv4-signer';

/** SigV4 for the API's `sign` hook, for `execute-api` unless another service is named (the test suite's). */
export const browserSigV4 = (options: Omit<SigV4Options, 'sha256'>): SignRequest =>
  sigV4({ ...options, sha256: Sha256 });
