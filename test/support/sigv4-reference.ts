/**
 * AWS Signature Version 4 written out from AWS's description of it (the canonical request, the string to sign,
 * the derived key), with node:crypto and nothing of the SDK: the independent reference the tests check the
 * signers against, and the check a stand-in for API Gateway makes of the requests it receives.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** URI-encodes as SigV4 does (RFC 3986: everything but A-Z a-z 0-9 - _ . ~). */
export const uriEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface ReceivedRequest {
  readonly method: string;
  /** The URL as sent: its path percent-encoded once. */
  readonly url: URL;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The canonical request of a request as received, for services other than S3: each segment of the path (as
 * sent, so already encoded once) is encoded again; the query is sorted and encoded; the signed headers are
 * trimmed with inner spaces folded.
 */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: readonly string[]): string {
  const path = request.url.pathname.split('/').map(uriEncode).join('/');
  const query = [...request.url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headerLines = signedHeaders.map((name) => {
    const value = name === 'host' ? request.url.host : (request.headers[name] ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}`;
  });
  return [
    request.method,
    path,
    query,
    ...headerLines,
    '',
    signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

/** The signature of a canonical request, made at `amzDate` (YYYYMMDDTHHMMSSZ) for this scope. */
export function signatureOf(options: {
  readonly secretAccessKey: string;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly canonicalRequest: string;
}): string {
  const day = options.amzDate.slice(0, 8);
  const scope = `${day}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', options.amzDate, scope, sha256Hex(options.canonicalRequest)].join(
    '\n',
  );
  let key = hmac(`AWS4${options.secretAccessKey}`, day);
  for (const part of [options.region, options.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

export interface CheckedSignature {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  /** Why the signature is wrong; undefined when it is right. */
  readonly problem: string | undefined;
}

/** Checks a received request's SigV4 `Authorization` header, as AWS would, knowing the secret of its key. */
export function checkSignature(
  request: ReceivedRequest,
  secretOf: (accessKeyId: string) => string | undefined,
): CheckedSignature {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      request.headers.authorization ?? '',
    );
  if (!match) {
    return {
      accessKeyId: '',
      region: '',
      service: '',
      signedHeaders: [],
      problem: 'no SigV4 Authorization header',
    };
  }
  const [, accessKeyId = '', day = '', region = '', service = '', signed = '', signature = ''] = match;
  const signedHeaders = signed.split(';');
  const result = { accessKeyId, region, service, signedHeaders };
  const amzDate = request.headers['x-amz-date'] ?? '';
  if (!amzDate.startsWith(day))
    return { ...result, problem: 'x-amz-date is not the day of the credential scope' };
  const secretAccessKey = secretOf(accessKeyId);
  if (!secretAccessKey) return { ...result, problem: `unknown access key ${accessKeyId}` };
  const expected = signatureOf({
    secretAccessKey,
    amzDate,
    region,
    service,
    canonicalRequest: canonicalRequest(request, signedHeaders),
  });
  return { ...result, problem: expected === signature ? undefined : 'the signature does not match' };
}
