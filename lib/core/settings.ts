/**
 * What every check of a setting shares, wherever it lives: lib/config reads the environment, and
 * the adapters check their own options (the table layout, the JWT key source) as Powertools'
 * persistence layers do. Both throw the same error, so a caller (the cold start, `npm start`, the
 * serverless plugin) tells a misconfiguration from a bug by one class.
 */

/** A misconfiguration: the message names the variable and the fix. Thrown at cold start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The URL when it is https://, or http:// to this machine (a local stand-in); else undefined. */
export const httpsOrLocalUrl = (raw: string | undefined): URL | undefined => {
  const url = URL.canParse(raw ?? '') ? new URL(raw ?? '') : undefined;
  const local = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url !== undefined && (url.protocol === 'https:' || (url.protocol === 'http:' && local)) ? url : undefined;
};
