import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are replaced wherever they appear in a log entry, at any depth. */
const SECRET_KEY = /pass(word)?|hash|token|secret|authori[sz]ation|cookie|body|jwt|credential/i;

/**
 * The one logger: structured JSON with the request id (Powertools). Values under secret-looking
 * keys are replaced by "[REDACTED]" before serialisation, as a second line of defence: the code
 * never passes a password, hash, token or body to it in the first place.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'change-password',
  jsonReplacerFn: (key: string, value: unknown) => (key !== '' && SECRET_KEY.test(key) ? '[REDACTED]' : value),
});
