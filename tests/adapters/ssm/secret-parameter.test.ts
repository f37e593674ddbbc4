import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.js';
import { AppError } from '../../../lib/core/errors.js';
import { createSecretFetcher } from '../../../lib/adapters/ssm/secret-parameter.js';
import { createTokenVerifier } from '../../../lib/adapters/jwt/token-verifier.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { apiEvent, parseBody, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../../support/harness.js';
import { readBody, startStandIn, type StandIn } from '../../support/stand-in.js';

/**
 * JWT_SECRET_PARAMETER end to end: Powertools Parameters and the real SSM client against a local
 * stand-in for SSM's GetParameter (AWS JSON 1.1 over HTTP), then the handler's answers.
 */
const NAME = '/change-password/test/jwt-secret';
const SECRET = 'a-32-byte-or-longer-hs256-secret-from-ssm';

let ssm: StandIn;
let h: Harness;
let requests: { target: string | undefined; body: { Name?: string; WithDecryption?: boolean } }[] = [];
/** What the stand-in answers next: the parameter's value, or an SSM error. */
let answer: { value: string } | { status: number; type: string } = { value: SECRET };

beforeAll(async () => {
  ssm = await startStandIn((req, res) => {
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as { Name?: string; WithDecryption?: boolean };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if ('value' in answer) {
        res.end(JSON.stringify({ Parameter: { Name: body.Name, Type: 'SecureString', Value: answer.value, Version: 1 } }));
      } else {
        res.statusCode = answer.status;
        res.end(JSON.stringify({ __type: answer.type, message: 'stand-in failure' }));
      }
    });
  });
  h = await startHarness();
});

afterAll(async () => {
  await ssm.stop();
  await h.stop();
});

beforeEach(() => {
  requests = [];
  answer = { value: SECRET };
});

/** A verifier configured as in production (JWT_SECRET_PARAMETER), reading SSM at `endpoint`. */
const verifier = () => {
  const config = loadConfig({ USERS_TABLE: 'users', STAGE: 'prod', JWT_SECRET_PARAMETER: NAME });
  const fetchSecret = createSecretFetcher({ endpoint: ssm.baseUrl, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return createTokenVerifier(config.jwt, { fetchSecret });
};

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('JWT_SECRET_PARAMETER', () => {
  it('verifies tokens with the secret read from SSM (decrypted), fetched once and then cached', async () => {
    const verify = verifier();
    const token = await mintToken('user-1', { secret: SECRET });

    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1' });
    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1' });

    expect(requests).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: NAME, WithDecryption: true } }]);
  });

  it('does not read SSM before a request needs the key', async () => {
    // Arrange: a verifier built as at cold start, then time for any fetch it started to arrive.
    const verify = verifier();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toEqual([]);

    // Act: the first token to verify (the control: the stand-in does see this fetch).
    await verify(`Bearer ${await mintToken('user-1', { secret: SECRET })}`);

    // Assert
    expect(requests).toHaveLength(1);
  });

  it('answers 401 4001 for a token signed with another secret', async () => {
    const token = await mintToken('user-1', { secret: 'another-secret-that-is-long-enough-for-hs256' });
    expect((await rejection(verifier()(`Bearer ${token}`))).key).toBe('UNAUTHORIZED');
  });

  it.each([
    ['a missing parameter', 400, 'ParameterNotFound'],
    ['a denied read', 400, 'AccessDeniedException'],
    ['an SSM outage', 500, 'InternalServerError'],
  ])('answers 503 9001 for %s, and the cause names the SSM error, not the secret', async (_case, status, type) => {
    answer = { status, type };
    const token = await mintToken('user-1', { secret: SECRET });
    const error = await rejection(verifier()(`Bearer ${token}`));
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toMatchObject({ reason: 'secretParameter unavailable' });
    expect(JSON.stringify(error.cause)).not.toContain(SECRET);
  });

  it('answers 500 for a stored secret shorter than 32 bytes (a misconfiguration, not the client)', async () => {
    answer = { value: 'too-short' };
    const token = await mintToken('user-1', { secret: 'too-short' });
    expect((await rejection(verifier()(`Bearer ${token}`))).key).toBe('INTERNAL');
  });

  it('changes a password through the handler, and answers 503 with Retry-After while SSM is down', async () => {
    const { userId } = await h.seedUser();
    const token = await mintToken(userId, { secret: SECRET });
    const ok = await h.invokerWith({ verifyToken: verifier() })(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
    expect(ok.statusCode).toBe(200);

    // A cold start while SSM is down: a fresh verifier has nothing cached.
    answer = { status: 500, type: 'InternalServerError' };
    const res = await h.invokerWith({ verifyToken: verifier() })(apiEvent({ token, body: { oldPassword: SEED_NEW, newPassword: SEED_OLD } }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('2');
    expect(parseBody(res)).toEqual({ status: false, error: { code: 9001, message: 'Service temporarily unavailable' } });
  });
});
