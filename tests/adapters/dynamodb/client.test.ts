import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import { startStandIn, type StandIn } from '../../support/stand-in.js';

/**
 * Where the DocumentClient connects and as whom it signs, seen on the wire: a local stand-in for
 * DynamoDB records the SigV4 credential scope (key id and region) of each call. The environment
 * holds credentials and a region, as in Lambda, so that a client that wrongly read them would show.
 * (Its timeouts and retries: tests/reliability/dependency-faults.test.ts.)
 */
let dynamo: StandIn;
let scopes: { keyId: string; region: string }[] = [];

beforeAll(async () => {
  for (const [name, value] of Object.entries({ AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'env-key-id', AWS_SECRET_ACCESS_KEY: 'env-secret' })) vi.stubEnv(name, value);
  dynamo = await startStandIn((req, res) => {
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/dynamodb\/aws4_request/.exec(String(req.headers.authorization));
    scopes.push({ keyId: scope?.[1] ?? '', region: scope?.[2] ?? '' });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}'));
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.stop();
});

/** Sends one GetItem through a client built with these options; returns the scope it was signed for. */
const signedScope = async (options: Parameters<typeof createDocumentClient>[0]) => {
  scopes = [];
  await createDocumentClient(options).send(new GetCommand({ TableName: 'users', Key: { userId: 'u' } }));
  expect(scopes).toHaveLength(1);
  return scopes[0];
};

describe('createDocumentClient with another DynamoDB API server (DYNAMODB_ENDPOINT)', () => {
  it('signs with the placeholder key id for the region `local` by default, whatever the environment holds', async () => {
    expect(await signedScope({ endpoint: dynamo.baseUrl })).toEqual({ keyId: 'local', region: 'local' });
  });

  it('signs for the region it is given', async () => {
    expect(await signedScope({ endpoint: dynamo.baseUrl, region: 'eu-west-1' })).toEqual({ keyId: 'local', region: 'eu-west-1' });
  });

  it('signs with the credentials of the environment when placeholders are turned off', async () => {
    expect(await signedScope({ endpoint: dynamo.baseUrl, placeholderCredentials: false })).toEqual({ keyId: 'env-key-id', region: 'local' });
  });
});

describe('createDocumentClient for AWS (no endpoint)', () => {
  it("takes the function's region and credentials from the environment, and AWS's endpoint", async () => {
    // Arrange
    const { config } = createDocumentClient();

    // Act
    const [region, credentials] = await Promise.all([config.region(), config.credentials()]);

    // Assert: nothing local is configured (no call is sent: it would go to AWS)
    expect(region).toBe('eu-central-1');
    expect(credentials).toMatchObject({ accessKeyId: 'env-key-id' });
    expect(config.endpoint).toBeUndefined();
  });
});
