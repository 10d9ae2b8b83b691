/**
 * The webhooks of the local stack (docs/contract.md#local-stack-and-cli): each change event POSTed as JSON to
 * `ADSYNC_WEBHOOK_URL`, signed as the Standard Webhooks specification says (`webhook-id`: the event's id,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`) with the key in
 * `ADSYNC_WEBHOOK_SECRET`, and retried with a growing delay until a 2xx. The signing is the specification's
 * own library (`standardwebhooks`); the test checks it against the specification's test vectors.
 */
import { Webhook } from 'standardwebhooks';
import type { AdSyncEvent } from '../shared/domain/run-event';
import type { Clock } from '../shared/ports/clock';
import { systemClock } from '../shared/use-cases/system-clock';

export interface WebhookSettings {
  readonly url: URL;
  /** `whsec_<base64>`: never logged. */
  readonly secret: string;
}

const SECRET_PREFIX = 'whsec_';
/** The specification's bounds for a symmetric key (section "Signature scheme"). */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const SECRET_HINT = `whsec_ followed by ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes in base64, e.g. whsec_$(openssl rand -base64 32)`;

/**
 * The webhook settings of the environment, checked once at start: undefined when neither variable is set; an
 * error naming the variable when the URL is not https (plain http only to this machine), holds a user name or
 * password, the secret is missing or malformed, or a secret has no URL. The messages never contain the secret,
 * nor the URL's credentials or query.
 */
export function webhookSettingsOf(env: {
  readonly ADSYNC_WEBHOOK_URL?: string | undefined;
  readonly ADSYNC_WEBHOOK_SECRET?: string | undefined;
}): WebhookSettings | undefined {
  const given = env.ADSYNC_WEBHOOK_URL ?? '';
  const secret = env.ADSYNC_WEBHOOK_SECRET ?? '';
  if (!given) {
    if (!secret) return undefined;
    throw new Error(
      'ADSYNC_WEBHOOK_SECRET is set but ADSYNC_WEBHOOK_URL is not: set the URL to POST change events to, or unset the secret.',
    );
  }
  const url = URL.canParse(given) ? new URL(given) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      `ADSYNC_WEBHOOK_URL must be an http:// or https:// URL${url ? ` (it is ${url.protocol})` : ' (it is not a URL)'}.`,
    );
  }
  // fetch refuses such a URL on every attempt (the events would never leave), and its error quotes the URL.
  if (url.username || url.password) {
    throw new Error(
      'ADSYNC_WEBHOOK_URL must not hold a user name or password (https://user:password@host/): they are never ' +
        'sent; the receiver verifies the events by their signature (ADSYNC_WEBHOOK_SECRET).',
    );
  }
  // The events carry names and addresses, and the receiver's answer is trusted: over the network, TLS only.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error(
      `ADSYNC_WEBHOOK_URL must be an https:// URL: http:// is allowed only to this machine (localhost, ` +
        `127.0.0.0/8, [::1]), and ${url.hostname} is not.`,
    );
  }
  if (!secret) {
    throw new Error(`ADSYNC_WEBHOOK_URL needs ADSYNC_WEBHOOK_SECRET, the signing key: ${SECRET_HINT}.`);
  }
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new Error(`ADSYNC_WEBHOOK_SECRET must start with ${SECRET_PREFIX}: ${SECRET_HINT}.`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new Error(`ADSYNC_WEBHOOK_SECRET is not base64 after ${SECRET_PREFIX}: ${SECRET_HINT}.`);
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) {
    throw new Error(`ADSYNC_WEBHOOK_SECRET holds a key of ${bytes} bytes: ${SECRET_HINT}.`);
  }
  return { url, secret };
}

/** Whether a URL's host (as URL parses it: IPv4 normalized, IPv6 in brackets) is this machine. */
const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

/** The URL as it may be shown: no user name or password, no query (either may hold a credential). */
export const shownUrl = (url: URL): string => `${url.origin}${url.pathname}`;

/**
 * A failure's text as it may be logged: the URL in it (fetch quotes it in some errors) shown as shownUrl, and
 * no trace of its query or fragment left.
 */
export function withoutUrlSecrets(text: string, url: URL): string {
  let shown = text.replaceAll(url.href, shownUrl(url));
  for (const part of [url.search, url.hash]) if (part) shown = shown.replaceAll(part, '');
  return shown;
}

/** The retry schedule: 1 s doubling up to 30 s, each delay shortened by up to a fifth at random (jitter). */
export const RETRY = { firstDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.2 } as const;

/**
 * How long to wait after the `failures`-th failed attempt in a row (1, 2, ...). There is no last attempt: a
 * receiver that is down for hours gets the event when it comes back, at most 30 s later. The jitter keeps
 * senders that failed together from retrying together.
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY.maxDelayMs, RETRY.firstDelayMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return Math.round(base * (1 - RETRY.jitter * random()));
}

/** How long one attempt may take before it counts as failed (the specification suggests 15 to 30 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface WebhookSenderOptions {
  readonly log: (line: string) => void;
  readonly timeoutMs?: number;
  readonly random?: () => number;
  /** The attempts' time (their signatures' timestamps) and the waits between them; the system's by default. */
  readonly clock?: Clock;
}

/** Signs and POSTs change events to one URL. */
export class WebhookSender {
  private readonly webhook: Webhook;
  private readonly clock: Clock;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly options: WebhookSenderOptions,
  ) {
    this.webhook = new Webhook(settings.secret);
    this.clock = options.clock ?? systemClock;
  }

  /** The Standard Webhooks headers of a message: its id, the attempt's time (whole seconds) and the signature. */
  sign(id: string, at: Date, body: string): Record<string, string> {
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(id, at, body),
    };
  }

  /** The headers and body of one attempt: the timestamp is the attempt's, as the specification says. */
  signed(event: AdSyncEvent, at: Date): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(event);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ad-sync',
        ...this.sign(event.id, at, body),
      },
    };
  }

  /**
   * POSTs the event until the receiver answers 2xx, waiting `retryDelayMs` between attempts. Resolves once it
   * is delivered; rejects only when `signal` aborts (the local stack stops).
   */
  async deliver(event: AdSyncEvent, signal: AbortSignal): Promise<void> {
    for (let failures = 0; ; ) {
      const failure = await this.attempt(event, signal);
      if (failure === undefined) {
        if (failures > 0)
          this.options.log(`webhooks: event ${event.id} delivered after ${failures + 1} attempts`);
        return;
      }
      signal.throwIfAborted();
      failures += 1;
      const delay = retryDelayMs(failures, this.options.random);
      this.options.log(
        `webhooks: event ${event.id} not delivered (${failure}), attempt ${failures}; next in ${(delay / 1000).toFixed(1)} s`,
      );
      await this.clock.sleep(delay, signal);
    }
  }

  /** One attempt: undefined when the receiver answered 2xx, else what went wrong. */
  private async attempt(event: AdSyncEvent, signal: AbortSignal): Promise<string | undefined> {
    const { headers, body } = this.signed(event, this.clock.now());
    try {
      const response = await fetch(this.settings.url, {
        method: 'POST',
        headers,
        body,
        // A redirect is a failure (the specification: update the URL instead of following it).
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS)]),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const { name, message, cause } = error as Error & { cause?: { code?: string } };
      if (name === 'TimeoutError') return 'no answer in time';
      return withoutUrlSecrets(cause?.code ?? message, this.settings.url);
    }
  }
}
