import { Logger } from '@aws-lambda-powertools/logger';
import type { LoggingSettings } from './observability.js';

/** Keys whose values are replaced wherever they appear in a log entry, at any depth. */
const SECRET_KEY = /pass(word)?|hash|token|secret|authori[sz]ation|cookie|body|jwt|credential/i;

/**
 * The function's logger: structured JSON with the request id (Powertools; its level is
 * POWERTOOLS_LOG_LEVEL). Values under secret-looking keys are replaced by "[REDACTED]" before
 * serialisation, as a second line of defence: the code never passes a password, hash, token or
 * body to it in the first place.
 */
export const createLogger = ({ serviceName }: LoggingSettings): Logger =>
  new Logger({
    serviceName,
    jsonReplacerFn: (key: string, value: unknown) => (SECRET_KEY.test(key) ? '[REDACTED]' : value),
  });
