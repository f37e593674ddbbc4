/**
 * `npm run bench:wire`: is the attempt-reserving UpdateItem really on the wire while the use case
 * runs the policy's CPU checks (lib/core/change-password.ts `whileInFlight`)?
 *
 * DynamoDB (dynalite) runs behind a TCP proxy in ANOTHER process, which stamps when each request's
 * first bytes arrive (this process's main thread is busy during the checks, so only another
 * process can see the request arrive meanwhile). This process runs the real use case with the real
 * store and policy, with two marker rules stamping when the policy starts and ends. Clocks are
 * compared as performance.timeOrigin + performance.now() (the same machine clock in both).
 * For contrast, the "naive" line starts the SDK call and runs the same checks synchronously.
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { changePassword, overlapWithIo, type ChangePasswordDeps } from '../../lib/core/change-password.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { loadConfig } from '../../lib/config/load.js';
import { createBcryptHasher } from '../../lib/adapters/bcrypt/password-hash.js';
import { buildPolicy, startPolicyCheck } from '../../lib/core/policy/password-policy.js';
import { type PolicyRule } from '../../lib/core/policy/password-rule.js';
import { createDocumentClient } from '../../lib/adapters/dynamodb/client.js';
import { DynamoUserStore } from '../../lib/adapters/dynamodb/user-store.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../local/dynamodb.js';

const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === 'proxy') {
  const dynamo = await startEmbeddedDynamo();
  const target = Number(new URL(dynamo.endpoint).port);
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (chunk) => {
      process.send?.({ arrived: now() });
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as net.AddressInfo).port, endpoint: dynamo.endpoint }));
} else {
  const proxy = fork(fileURLToPath(import.meta.url), ['proxy'], { execArgv: ['--import', 'tsx'] });
  const { port, endpoint } = await new Promise<{ port: number; endpoint: string }>((resolve) => proxy.once('message', resolve as never));
  let arrivals: number[] = [];
  proxy.on('message', (m: { arrived?: number }) => { if (m.arrived !== undefined) arrivals.push(m.arrived); });
  const table = 'wire';
  await ensureUsersTable(endpoint, table);

  const config = loadConfig({ USERS_TABLE: table, JWT_SECRET: DEV_JWT_SECRET });
  const marks = { start: 0, end: 0 };
  const policy: PolicyRule[] = [
    { id: 'markStart', test: () => ((marks.start = now()), true) },
    ...buildPolicy(config.policy),
    { id: 'markEnd', deferred: true, test: () => ((marks.end = now()), true) },
  ];
  const store = new DynamoUserStore(createDocumentClient({ endpoint: `http://127.0.0.1:${port}` }), table);
  const deps: ChangePasswordDeps = {
    store, policy, hasher: createBcryptHasher(4), scheduling: overlapWithIo,
    clock: () => new Date(), limits: config.protection, stepUp: config.stepUp,
  };
  const rounds = 30;
  const users = Array.from({ length: 2 * rounds + 2 }, (_, i) => `wire-${i}`);
  for (const userId of users) await putUser(endpoint, table, { userId, password: 'Old-P@ssw0rd-1', email: `${userId}@example.com` }, 4);
  const newPassword = () => `Qz-${Math.random().toString(36).slice(2)}-P@ss1`;

  const variants = {
    'use case (setImmediate before the checks)': async (userId: string) => {
      await changePassword(deps, { userId, tokenIssuedAt: undefined, authentication: { amr: undefined, acr: undefined, authTime: undefined }, oldPassword: 'Old-P@ssw0rd-1', newPassword: newPassword() });
    },
    'naive (checks right after the SDK call)': async (userId: string) => {
      const pending = store.beginAttempt(userId, new Date(), config.protection);
      startPolicyCheck(policy, newPassword());
      await pending;
    },
  };
  const lines: string[] = [];
  let next = 0;
  for (const [name, run] of Object.entries(variants)) {
    const leads: number[] = [];
    const overlapped: boolean[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < rounds + 1; i += 1) {
      arrivals = [];
      await run(users[next++] ?? '');
      await new Promise((resolve) => setTimeout(resolve, 10));
      const first = arrivals[0] ?? Number.NaN;
      if (i === 0) continue; // the first call opens the connection
      leads.push(marks.start - first);
      overlapped.push(first < marks.end);
      cpu.push(marks.end - marks.start);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    lines.push(`| ${name} | ${overlapped.filter(Boolean).length}/${rounds} | ${median(leads).toFixed(2)} ms | ${median(cpu).toFixed(2)} ms |`);
  }
  proxy.kill();
  console.log(`### npm run bench:wire — ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log();
  console.log('| variant | UpdateItem arrived at DynamoDB before the checks ended | checks started … after the request arrived (median) | checks\' CPU (median) |');
  console.log('|---|---|---|---|');
  for (const line of lines) console.log(line);
  process.exit(0);
}
