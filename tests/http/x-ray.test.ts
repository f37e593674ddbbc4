import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VARIABLES } from '../../lib/config/variables.js';

/**
 * X-Ray as it runs inside Lambda: the real X-Ray SDK (through Powertools Tracer) sends each closed
 * subsegment over UDP to the daemon named by AWS_XRAY_DAEMON_ADDRESS; here a local socket stands in
 * for the daemon and reads what would reach X-Ray. The SDK reads the environment when it loads, so
 * this file sets it first, in its own process.
 */
const HANDLER = 'functions/change-password/handler.handler';
let daemon: Socket;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // Each datagram: a header line, then one JSON (sub)segment.
    const [, body] = message.toString('utf8').split('\n');
    received.push(JSON.parse(body ?? '{}') as Record<string, unknown>);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const env = {
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: HANDLER,
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    POWERTOOLS_TRACE_ENABLED: 'true',
    // Unset: the function's own default names the service.
    POWERTOOLS_SERVICE_NAME: undefined,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
});
afterAll(() => {
  vi.unstubAllEnvs();
  daemon.close();
});

describe('X-Ray inside Lambda', () => {
  it('sends the handler’s subsegment under the service’s name, without the response, and no password, hash or token anywhere', async () => {
    const harness = await import('../support/harness.js');
    const h = await harness.startHarness();
    try {
      const { userId, token } = await h.seedUser();
      const res = await h.invoke(harness.apiEvent({ token, body: { oldPassword: harness.SEED_OLD, newPassword: harness.SEED_NEW } }));
      expect(res.statusCode).toBe(200);
      const hash = (await h.getItem(userId))?.passwordHash as string;
      await vi.waitFor(() => expect(received.map((s) => s.name)).toContain(`## ${HANDLER}`));

      const handler = received.find((s) => s.name === `## ${HANDLER}`);
      expect(handler?.annotations).toMatchObject({ Service: VARIABLES.POWERTOOLS_SERVICE_NAME.default });
      expect(handler).not.toHaveProperty('metadata');
      // The DynamoDB calls are traced, with the table's name and never an item's values.
      expect(received.filter((s) => s.name === 'DynamoDB').map((s) => (s.aws as { table_name?: string }).table_name)).toContain(h.table);
      const sent = JSON.stringify(received);
      for (const secret of [harness.SEED_OLD, harness.SEED_NEW, hash, token]) expect(sent).not.toContain(secret);
    } finally {
      await h.stop();
    }
  });
});
