import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClientConfig } from '@aws-sdk/client-ssm';

/**
 * Seconds a fetched secret is reused before Powertools Parameters reads it again, so a rotated
 * secret takes effect within five minutes without an SSM call per request.
 */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Builds the fetcher for JWT_SECRET_PARAMETER (the jwt adapter's SecretFetcher): Powertools Parameters' SSMProvider, decrypting the
 * SecureString, cached in memory for {@link SECRET_MAX_AGE_SECONDS}. The SSM client fails fast
 * (one retry, 1 s to connect, 2 s per attempt) so a sick SSM becomes a 503, not a Lambda timeout.
 * `clientConfig` is for tests (a local endpoint); production uses the Lambda's region and role.
 */
export const createSecretFetcher = (clientConfig: SSMClientConfig = {}): ((name: string) => Promise<string>) => {
  const provider = new SSMProvider({
    clientConfig: { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 }, ...clientConfig },
  });
  return async (name) => {
    const value = await provider.get(name, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS });
    if (typeof value !== 'string') throw new Error(`SSM parameter ${name} has no string value`);
    return value;
  };
};
