/**
 * The console's SigV4 signer (console/src/aws/browser-signer.ts: the shared signer with @aws-crypto/sha256-js,
 * the code the browser runs) against AWS's published Signature Version 4 test suite
 * (test/fixtures/sigv4/aws-sdk-js-v3-suite.ts names its source). Each request goes through the signer as the
 * API client hands it over: a URL, the headers to send, the body.
 */
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
import { checkSignature, signatureOf } from '../../support/sigv4-reference';

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

  it('agrees with the written-out reference (test/support/sigv4-reference.ts) on every applicable vector', () => {
    // So the reference computes SigV4 as AWS does, and can judge the case the suite cannot express.
    for (const vector of applicable) {
      const checked = checkSignature(
        {
          method: vector.method,
          url: urlOf(vector),
          headers: { ...vector.headers, authorization: vector.authorization },
          body: vector.body ?? '',
        },
        () => suiteCredentials.secretAccessKey,
      );
      expect(checked.problem, vector.name).toBeUndefined();
    }
  });

  it('encodes a percent-encoded path once more, as AWS expects of every service but S3 (get-utf8 as fetch sends it)', async () => {
    const vector = suiteVectors.find((v) => v.name === 'get-utf8') as SuiteVector;
    expect(urlOf(vector).pathname).toBe('/%E1%88%B4');
    const headers = await sign(vector);
    expect(
      checkSignature(
        { method: 'GET', url: urlOf(vector), headers, body: '' },
        () => suiteCredentials.secretAccessKey,
      ),
    ).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      region: 'us-east-1',
      service: 'service',
      signedHeaders: ['host', 'x-amz-date'],
      problem: undefined,
    });
    // The suite's signature is of the raw path, which no URL can carry.
    expect(headers.authorization).not.toBe(vector.authorization);
    expect(headers.authorization).toContain(
      `Signature=${signatureOf({
        secretAccessKey: suiteCredentials.secretAccessKey,
        amzDate: '20150830T123600Z',
        region: 'us-east-1',
        service: 'service',
        canonicalRequest: [
          'GET',
          '/%25E1%2588%25B4',
          '',
          'host:example.amazonaws.com',
          'x-amz-date:20150830T123600Z',
          '',
          'host;x-amz-date',
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        ].join('\n'),
      })}`,
    );
  });
});
