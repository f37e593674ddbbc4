import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { BreachedPasswordCheck } from '../../core/ports.js';
import { AppError } from '../../core/errors.js';

/**
 * The Pwned Passwords range API (k-anonymity): only the first 5 hex characters of the password's
 * SHA-1 leave the function; the API answers every suffix it knows under that prefix with a count.
 * One GET through node:https (node:http for a local stand-in) with Add-Padding, a User-Agent and a
 * bound on the whole exchange, and what a password endpoint adds: strict validation of the answer,
 * a bounded per-container cache, one shared request per prefix, and fail-open or fail-closed when
 * the API cannot be used. See docs/breached-passwords.md, and docs/decisions/range-api-client.md
 * for why this is not `fetch`.
 */

/** Sent with every range request, as the API's terms ask for an identifying agent. */
export const HIBP_USER_AGENT = 'change-password (+Pwned Passwords range check)';
/** How long a fetched prefix is reused: the corpus changes a few times a year. */
export const PREFIX_CACHE_TTL_MS = 60 * 60 * 1000;
/**
 * Prefixes kept per container. Only the suffixes counted above the threshold are kept, as one
 * string of ~35 bytes each (~800–1000 per prefix): at most ~20 MB for 500 prefixes.
 */
export const PREFIX_CACHE_MAX = 500;

/** Why the API could not be used; safe to log (says nothing about the password). */
export type UnavailableReason = 'timeout' | 'network' | 'status' | 'format';

/** The check's settings (HIBP_* variables); see docs/breached-passwords.md. */
export interface BreachedPasswordSettings {
  /** Off: no online lookup (the bundled offline list still applies). */
  enabled: boolean;
  /** The range API or a mirror. */
  apiUrl: string;
  /** Bound on the whole lookup. */
  timeoutMs: number;
  /** A password counted more than this many times is refused; 0: refused if seen at all. */
  maxBreaches: number;
  /** Unavailable: true rejects with 503 SERVICE_UNAVAILABLE; false passes (on the offline rules). */
  failClosed: boolean;
}

/** What the check is built from: the settings of an enabled check, and what the composition adds. */
export interface BreachedPasswordOptions extends Omit<BreachedPasswordSettings, 'enabled'> {
  /** Called each time a lookup cannot be made, in both modes (the warning log line and metric). */
  onUnavailable: (reason: UnavailableReason) => void;
  /** For tests: the cache's clock. */
  now?: () => number;
}

/** One line of the range format: a 35-hex-digit suffix, a colon, a count. */
const SUFFIX = /^[0-9A-F]{35}$/;

/** A body that is not the range format: a proxy's HTML page, an empty or cut-off answer. */
class RangeFormatError extends Error {}

/** An answer other than 2xx. */
class RangeStatusError extends Error {}

/**
 * The suffixes counted more than `maxBreaches` times, as one "\nSUFFIX\n…\n" string. The body is
 * read line by line (lines end in CRLF; a count is read as parseInt reads it) and checked: a range
 * always has entries (the padded API 800–1000), every key is a suffix and every count a whole
 * number, so a proxy's HTML page, an empty answer or a body cut mid-line is `format`, never "not
 * breached". A body cut at its transport (shorter than its Content-Length, an unfinished chunked
 * body) fails the request itself (`network`).
 */
const breachedSuffixes = (body: string, maxBreaches: number): string => {
  const lines = body.split('\n').filter((line) => line !== '');
  // Stryker disable next-line StringLiteral: the message is never read; the error only becomes the reason 'format'
  if (lines.length === 0) throw new RangeFormatError('empty range');
  // Stryker disable next-line ArrayDeclaration: an extra entry that is no 35-hex-digit suffix can never be looked up
  const breached: string[] = [];
  for (const line of lines) {
    const [suffix = '', countText = ''] = line.split(':');
    const count = Number.parseInt(countText, 10);
    // Stryker disable next-line StringLiteral: the message is never read; the error only becomes the reason 'format'
    if (!SUFFIX.test(suffix.toUpperCase()) || !Number.isSafeInteger(count) || count < 0) throw new RangeFormatError('not the range format');
    if (count > maxBreaches) breached.push(suffix.toUpperCase());
  }
  return `\n${breached.join('\n')}\n`;
};

/** `{baseUrl}/range/{prefix}?mode=sha1`, a trailing slash of the base URL dropped. */
const rangeUrl = (baseUrl: string, prefix: string): URL => {
  const url = new URL(`${baseUrl.replace(/\/$/, '')}/range/${encodeURIComponent(prefix)}`);
  url.searchParams.set('mode', 'sha1');
  return url;
};

/**
 * GETs one range: resolves with its body and Content-Encoding, rejects with RangeStatusError for
 * an answer other than 2xx and with the transport's error otherwise; `signal` aborts the whole
 * exchange, the body included. Node's default agents keep the connection alive between lookups.
 */
const getRange = (url: URL, signal: AbortSignal): Promise<{ body: Buffer; encoding: string | undefined }> =>
  new Promise((resolve, reject) => {
    const headers = { 'Add-Padding': 'true', 'User-Agent': HIBP_USER_AGENT, 'Accept-Encoding': 'gzip' };
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers, signal }, (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        response.resume();
        reject(new RangeStatusError(`status ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ body: Buffer.concat(chunks), encoding: response.headers['content-encoding'] }));
    });
    request.on('error', reject);
  });

/** The body as text; a gzip body that does not inflate throws (the transport's fault: `network`). */
const textOf = ({ body, encoding }: { body: Buffer; encoding: string | undefined }): string =>
  (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');

/** Why a lookup failed, as a rejection of the shared request (each caller reports it). */
class RangeUnavailableError extends Error {
  constructor(readonly reason: UnavailableReason) {
    super(`range API unavailable (${reason})`);
  }
}

/** Read when the request settles: the timeout aborts the exchange, and no later event changes the verdict. */
const reasonOf = (error: unknown, signal: AbortSignal): UnavailableReason => {
  if (error instanceof RangeFormatError) return 'format';
  if (signal.aborted) return 'timeout';
  return error instanceof RangeStatusError ? 'status' : 'network';
};

/** The SHA-1 of the password (UTF-8, as the corpus hashes it), upper-case hex. */
export const sha1Hex = (password: string): string =>
  createHash('sha1')
    // Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
    .update(password, 'utf8')
    .digest('hex')
    .toUpperCase();

/**
 * Builds the check. `check(password)` resolves true when the corpus counts the password more than
 * `maxBreaches` times, false when not or when the API is unavailable in fail-open mode, and
 * rejects with SERVICE_UNAVAILABLE when it is unavailable in fail-closed mode. Errors and the
 * unavailable callback carry a reason only: never the password, its hash or the prefix.
 */
export const createBreachedPasswordCheck = (options: BreachedPasswordOptions): BreachedPasswordCheck => {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { suffixes: string; expires: number }>();
  const inFlight = new Map<string, Promise<string>>();

  const cached = (prefix: string): string | undefined => {
    const entry = cache.get(prefix);
    if (entry === undefined) return undefined;
    cache.delete(prefix);
    if (entry.expires <= now()) return undefined;
    cache.set(prefix, entry); // most recently used last
    return entry.suffixes;
  };

  const remember = (prefix: string, suffixes: string): void => {
    cache.set(prefix, { suffixes, expires: now() + PREFIX_CACHE_TTL_MS });
    // Map keeps insertion order, so the first key is the least recently used.
    while (cache.size > PREFIX_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  };

  /** One request per prefix at a time; only a valid range is cached, a failure never is. */
  const suffixesFor = (prefix: string): Promise<string> => {
    const hit = cached(prefix);
    if (hit !== undefined) return Promise.resolve(hit);
    let pending = inFlight.get(prefix);
    if (pending === undefined) {
      const signal = AbortSignal.timeout(options.timeoutMs);
      pending = getRange(rangeUrl(options.apiUrl, prefix), signal)
        .then((answer) => {
          const suffixes = breachedSuffixes(textOf(answer), options.maxBreaches);
          remember(prefix, suffixes);
          return suffixes;
        })
        .catch((error: unknown) => {
          throw new RangeUnavailableError(reasonOf(error, signal));
        })
        .finally(() => inFlight.delete(prefix));
      inFlight.set(prefix, pending);
    }
    return pending;
  };

  return {
    check: async (password) => {
      const hash = sha1Hex(password);
      try {
        return (await suffixesFor(hash.slice(0, 5))).includes(`\n${hash.slice(5)}\n`);
      } catch (error) {
        // suffixesFor rejects with nothing else.
        const { reason } = error as RangeUnavailableError;
        options.onUnavailable(reason);
        if (options.failClosed) throw new AppError('SERVICE_UNAVAILABLE', { cause: { reason: `breached-password lookup unavailable (${reason})` } });
        return false;
      }
    },
  };
};
