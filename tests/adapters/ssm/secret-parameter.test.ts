import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.js';
import { createSecretFetcher } from '../../../lib/adapters/ssm/secret-parameter.js';
import { createTokenVerifier } from '../../../lib/adapters/jwt/token-verifier.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { apiEvent, parseBody, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../../support/harness.js';
import { appErrorOf } from '../../support/rejection.js';
import { startSsmStandIn } from '../../support/ssm.js';

/**
 * JWT_SECRET_PARAMETER end to end: Powertools Parameters and the real SSM client against a local
 * stand-in for SSM's GetParameter (AWS JSON 1.1 over HTTP), then the handler's answers.
 */
const NAME = '/change-password/test/jwt-secret';
const SECRET = 'a-32-byte-or-longer-hs256-secret-from-ssm';

let ssm: Awaited<ReturnType<typeof startSsmStandIn>>;
let h: Harness;

beforeAll(async () => {
  ssm = await startSsmStandIn();
  h = await startHarness();
});

afterAll(async () => {
  await ssm.stop();
  await h.stop();
});

beforeEach(() => {
  ssm.requests.length = 0;
  ssm.answerWith({ value: SECRET });
});

/** A verifier configured as in production (JWT_SECRET_PARAMETER), reading SSM at `endpoint`. */
const verifier = () => {
  const config = loadConfig({ USERS_TABLE: 'users', STAGE: 'prod', JWT_SECRET_PARAMETER: NAME });
  const fetchSecret = createSecretFetcher(ssm.clientConfig);
  return createTokenVerifier(config.jwt, { fetchSecret });
};

describe('JWT_SECRET_PARAMETER', () => {
  it('verifies tokens with the secret read from SSM (decrypted), fetched once and then cached', async () => {
    const verify = verifier();
    const token = await mintToken('user-1', { secret: SECRET });

    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1' });
    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1' });

    expect(ssm.requests).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: NAME, WithDecryption: true } }]);
  });

  it('does not read SSM before a request needs the key', async () => {
    // Arrange: a verifier built as at cold start, then time for any fetch it started to arrive.
    const verify = verifier();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ssm.requests).toEqual([]);

    // Act: the first token to verify (the control: the stand-in does see this fetch).
    await verify(`Bearer ${await mintToken('user-1', { secret: SECRET })}`);

    // Assert
    expect(ssm.requests).toHaveLength(1);
  });

  it('answers 401 4001 for a token signed with another secret', async () => {
    const token = await mintToken('user-1', { secret: 'another-secret-that-is-long-enough-for-hs256' });
    expect((await appErrorOf(verifier()(`Bearer ${token}`))).key).toBe('UNAUTHORIZED');
  });

  it.each([
    ['a missing parameter', 400, 'ParameterNotFound', 1],
    ['a denied read', 400, 'AccessDeniedException', 1],
    ['an SSM outage', 500, 'InternalServerError', 2],
  ])('answers 503 9001 for %s; the cause names the failed read (Powertools wraps the SSM error), never the secret', async (_case, status, type, attempts) => {
    ssm.answerWith({ status, type });
    const token = await mintToken('user-1', { secret: SECRET });
    const error = await appErrorOf(verifier()(`Bearer ${token}`));
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: 'secretParameter unavailable', code: 'GetParameterError' });
    // An outage is retried once (two attempts in all); a refusal is not.
    expect(ssm.requests).toHaveLength(attempts);
  });

  it('answers 503 9001 for a parameter that has no value', async () => {
    ssm.answerWith({ value: undefined });
    const error = await appErrorOf(verifier()(`Bearer ${await mintToken('user-1', { secret: SECRET })}`));
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    // The fetcher's own Error, not a TypeError further on.
    expect(error.cause).toEqual({ reason: 'secretParameter unavailable', code: 'Error' });
  });

  it('rejects, naming the parameter, when it has no value (the fetcher alone)', async () => {
    ssm.answerWith({ value: undefined });
    await expect(createSecretFetcher(ssm.clientConfig)(NAME)).rejects.toThrow(new Error(`SSM parameter ${NAME} has no string value`));
  });

  it('answers 500 for a stored secret shorter than 32 bytes (a misconfiguration, not the client)', async () => {
    ssm.answerWith({ value: 'too-short' });
    const token = await mintToken('user-1', { secret: 'too-short' });
    expect((await appErrorOf(verifier()(`Bearer ${token}`))).key).toBe('INTERNAL');
  });

  it('changes a password through the handler, and answers 503 with Retry-After while SSM is down', async () => {
    const { userId } = await h.seedUser();
    const token = await mintToken(userId, { secret: SECRET });
    const ok = await h.invokerWith({ verifyToken: verifier() })(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
    expect(ok.statusCode).toBe(200);

    // A cold start while SSM is down: a fresh verifier has nothing cached.
    ssm.answerWith({ status: 500, type: 'InternalServerError' });
    const res = await h.invokerWith({ verifyToken: verifier() })(apiEvent({ token, body: { oldPassword: SEED_NEW, newPassword: SEED_OLD } }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('2');
    expect(parseBody(res)).toEqual({ status: false, error: { code: 9001, message: 'Service temporarily unavailable' } });
  });
});
