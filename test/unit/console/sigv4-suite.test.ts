/**
 * The console's SigV4 signer (console/src/aws/browser-signer.ts: the shared signer with @aws-crypto/sha256-js,
 * the code the browser runs) against AWS's published Signature Version 4 test suite
 * (test/fixtures/sigv4/aws-sdk-js-v3-suite.ts names its source). Each request goes through the signer as the
 * API client hands it over: a URL, the headers to send, the body.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserSigV4 } from '../../../console/src/aws/browser-signer';
import {
  type SuiteVector,
  suiteCredentials,
  suiteRegion,
  suiteService,
  suiteSigningDate,
  suiteVectors,
} from '../../fixtures/sigv4/aws-sdk-js-v3-suite';

/**
 * The vectors a signer of URLs cannot be given, and why. Every other vector of the suite is checked.
 */
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'get-utf8':
    'its request line carries the path /\u1234 as raw UTF-8; a URL (and so fetch) always sends it percent-encoded, ' +
    '/%E1%88%B4, which SigV4 then encodes once more, as AWS services other than S3 expect (checked below)',
};

/** The URL the API client would build for a vector: its host, its path, its query. */
function urlOf(vector: SuiteVector): URL {
  const url = new URL(vector.path, `https://${vector.hostname}`);
  for (const [name, value] of Object.entries(vector.query)) url.searchParams.append(name, value);
  return url;
}

/** The headers the client hands over: the vector's, without those the signer sets itself (host, date). */
function headersOf(vector: SuiteVector): Record<string, string> {
  const { host: _host, 'x-amz-date': _date, ...rest } = vector.headers;
  return rest;
}

const signer = browserSigV4({
  region: suiteRegion,
  service: suiteService,
  credentials: suiteCredentials,
  now: () => suiteSigningDate,
});

const sign = (vector: SuiteVector, with_ = signer) =>
  with_({
    method: vector.method,
    url: urlOf(vector),
    headers: headersOf(vector),
    ...(vector.body === undefined ? {} : { body: vector.body }),
  });

describe('the console SigV4 signer against the AWS SigV4 test suite', () => {
  const applicable = suiteVectors.filter((vector) => !(vector.name in NOT_APPLICABLE));

  it('covers every vector of the suite but those listed with a reason', () => {
    expect(suiteVectors).toHaveLength(24);
    expect(applicable).toHaveLength(suiteVectors.length - Object.keys(NOT_APPLICABLE).length);
    for (const name of Object.keys(NOT_APPLICABLE)) {
      expect(suiteVectors.map((vector) => vector.name)).toContain(name);
    }
  });

  it.each(applicable.map((vector) => [vector.name, vector] as const))(
    'signs %s with the published Authorization header',
    async (_name, vector) => {
      const headers = await sign(vector);
      expect(headers.authorization).toBe(vector.authorization);
      expect(headers['x-amz-date']).toBe('20150830T123600Z');
      // fetch sends the host of the URL; the signer signs it but does not return it.
      expect(headers).not.toHaveProperty('host');
    },
  );

  it('signs the session token of temporary credentials as post-sts-header-before does', async () => {
    const vector = suiteVectors.find((v) => v.name === 'post-sts-header-before') as SuiteVector;
    const token = vector.headers['x-amz-security-token'] as string;
    const { 'x-amz-security-token': _token, ...withoutToken } = vector.headers;
    const temporary = browserSigV4({
      region: suiteRegion,
      service: suiteService,
      credentials: async () => ({ ...suiteCredentials, sessionToken: token }),
      now: () => suiteSigningDate,
    });
    const headers = await sign({ ...vector, headers: withoutToken }, temporary);
    expect(headers.authorization).toBe(vector.authorization);
    expect(headers['x-amz-security-token']).toBe(token);
  });

  it('encodes a percent-encoded path once more, as AWS expects of every service but S3 (get-utf8 as fetch sends it)', async () => {
    const vector = suiteVectors.find((v) => v.name === 'get-utf8') as SuiteVector;
    expect(urlOf(vector).pathname).toBe('/%E1%88%B4');
    // The reference reproduces the suite's own get-vanilla signature, so it computes SigV4 as AWS does.
    expect(referenceSignature('GET', '/')).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    const headers = await sign(vector);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        `Signature=${referenceSignature('GET', '/%25E1%2588%25B4')}`,
    );
  });
});

/**
 * SigV4 written out from AWS's description, for a request with only `host` and `x-amz-date` and no body, with
 * the canonical path given: the independent reference for the case the suite cannot express.
 */
function referenceSignature(method: string, canonicalPath: string): string {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const canonicalRequest = [
    method,
    canonicalPath,
    '',
    'host:example.amazonaws.com',
    'x-amz-date:20150830T123600Z',
    '',
    'host;x-amz-date',
    sha256(''),
  ].join('\n');
  const scope = '20150830/us-east-1/service/aws4_request';
  const stringToSign = ['AWS4-HMAC-SHA256', '20150830T123600Z', scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${suiteCredentials.secretAccessKey}`, '20150830');
  for (const part of ['us-east-1', 'service', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
