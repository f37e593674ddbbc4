/**
 * The process `npm run bench` measures in: plain Node (no tsx, no loader), started with a minimal
 * environment, talking to the bench over IPC; its stdout (the function's log lines) goes nowhere.
 *
 *   cold: import one bundle (BENCH_KIND handler|floor, BENCH_TARGET), serve one change (BENCH_JOB),
 *         report the times since the process started and the peak RSS, exit.
 *   warm: import the bundles named in BENCH_HANDLER / BENCH_FLOOR / BENCH_INSTRUMENTED, then run the
 *         blocks of changes the bench sends, one at a time in the order sent, timing each.
 *
 * Kept free of imports beyond Node's so that it adds the same little to both sides.
 */
import { createRequire } from 'node:module';
import type { FloorTimings } from './floor.js';
import type { HandlerPhases } from './instrumented.js';
import type { BenchJob, ChildMessage, ParentMessage, Side } from './protocol.js';

const bootMs = performance.now();
const load = createRequire(__filename);

interface HandlerModule { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> }
interface FloorModule { changePassword: (token: string, oldPassword: string, newPassword: string, timings?: FloorTimings) => Promise<boolean> }
interface InstrumentedModule { timedHandler: (event: unknown, context: unknown) => Promise<{ result: { statusCode: number; body: string }; phases: HandlerPhases }> }

/** CPU time of this process so far (all its threads: main, libuv pool, GC), in milliseconds. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** An HTTP API (payload 2.0) event for the route, as API Gateway sends it; `requests` so far numbers it. */
const apiEvent = (job: BenchJob, requests: number) => ({
  version: '2.0',
  routeKey: 'POST /v1/users/profile/change-password',
  rawPath: '/v1/users/profile/change-password',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}`, 'user-agent': 'bench' },
  body: JSON.stringify({ oldPassword: job.oldPassword, newPassword: job.newPassword }),
  isBase64Encoded: false,
  requestContext: { requestId: `bench-${requests}`, http: { method: 'POST', path: '/v1/users/profile/change-password', sourceIp: '203.0.113.7' } },
});

/** A Lambda context as the runtime gives one (1769 MB as in serverless.yml), for request number `request`. */
const lambdaContext = (request: number) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'change-password-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:change-password-bench',
  memoryLimitInMB: '1769',
  awsRequestId: `bench-${request}`,
  logGroupName: '/aws/lambda/change-password-bench',
  logStreamName: 'bench',
  // Ten minutes, not serverless.yml's 10 s: a busy machine may slow a change (seven bcrypts at cost 12
  // for a legacy history), and the bench measures it rather than the early 503 it would get.
  getRemainingTimeInMillis: () => 600_000,
});

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));

const fail = (side: Side, job: BenchJob, detail: string): never => {
  throw new Error(`${side}: the change for ${job.userId} did not succeed: ${detail}`);
};

/** Numbers the invocations of the function, as Lambda does: the event carries the count so far, the context the next number. */
const createInvocations = () => {
  let requests = 0;
  return (job: BenchJob) => {
    const event = apiEvent(job, requests);
    requests += 1;
    return { event, context: lambdaContext(requests) };
  };
};
type Invocations = ReturnType<typeof createInvocations>;

/** One change through the given side; resolves when it has been answered, throws unless it succeeded. */
const changeOnce = async (side: Side, modules: { handler?: HandlerModule; floor?: FloorModule; instrumented?: InstrumentedModule }, job: BenchJob, invoke: Invocations) => {
  switch (side) {
    case 'handler': {
      const { event, context } = invoke(job);
      const start = performance.now();
      const result = await modules.handler!.handler(event, context);
      const ms = performance.now() - start;
      if (result.statusCode !== 200) fail(side, job, `${result.statusCode} ${result.body}`);
      return { ms };
    }
    case 'floor': {
      const start = performance.now();
      const ok = await modules.floor!.changePassword(job.token, job.oldPassword, job.newPassword);
      const ms = performance.now() - start;
      if (!ok) fail(side, job, 'refused');
      return { ms };
    }
    case 'instrumented': {
      const { event, context } = invoke(job);
      const { result, phases } = await modules.instrumented!.timedHandler(event, context);
      if (result.statusCode !== 200) fail(side, job, `${result.statusCode} ${result.body}`);
      return { ms: phases.total, phases: { ...phases } };
    }
    case 'floorTimed': {
      const timings: FloorTimings = { dynamo: 0, dynamoRead: 0, bcryptCompare: 0, bcryptHash: 0 };
      const start = performance.now();
      const ok = await modules.floor!.changePassword(job.token, job.oldPassword, job.newPassword, timings);
      const ms = performance.now() - start;
      if (!ok) fail(side, job, 'refused');
      return { ms, phases: { total: ms, dynamo: timings.dynamo, dynamoCalls: 2, dynamoFirst: timings.dynamoRead, bcryptCompare: timings.bcryptCompare, bcryptHash: timings.bcryptHash, beforeFirstCall: 0, webCrypto: 0, bcryptOps: 2 } };
    }
  }
};

const cold = async () => {
  const kind = process.env.BENCH_KIND as 'handler' | 'floor';
  const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as BenchJob;
  const bootCpu = cpuMs();
  const importStart = performance.now();
  const loaded: unknown = load(process.env.BENCH_TARGET ?? '');
  const importEnd = performance.now();
  const importCpu = cpuMs();
  const modules = kind === 'handler' ? { handler: loaded as HandlerModule } : { floor: loaded as FloorModule };
  const { ms } = await changeOnce(kind, modules, job, createInvocations());
  const answeredAt = performance.now();
  const totalCpu = cpuMs();
  await send({
    type: 'cold', bootMs, importMs: importEnd - importStart, firstChangeMs: ms, sinceStartMs: answeredAt,
    cpu: { boot: bootCpu, import: importCpu - bootCpu, firstChange: totalCpu - importCpu, total: totalCpu },
    maxRssKb: process.resourceUsage().maxRSS,
  });
  process.exit(0);
};

const warm = async () => {
  const env = process.env;
  const modules = {
    handler: env.BENCH_HANDLER ? (load(env.BENCH_HANDLER) as HandlerModule) : undefined,
    floor: env.BENCH_FLOOR ? (load(env.BENCH_FLOOR) as FloorModule) : undefined,
    instrumented: env.BENCH_INSTRUMENTED ? (load(env.BENCH_INSTRUMENTED) as InstrumentedModule) : undefined,
  };
  const invoke = createInvocations();
  process.on('message', (message: ParentMessage) => {
    void (async () => {
      if (message.type === 'exit') {
        await send({ type: 'bye', maxRssKb: process.resourceUsage().maxRSS });
        process.exit(0);
      }
      const latencies: number[] = [];
      const cpu: number[] = [];
      const phases: (HandlerPhases | undefined)[] = [];
      for (const { side, job } of message.steps) {
        const cpuBefore = cpuMs();
        const done = await changeOnce(side, modules, job, invoke);
        cpu.push(cpuMs() - cpuBefore);
        latencies.push(done.ms);
        phases.push(done.phases);
      }
      await send({ type: 'block', latencies, cpu, phases });
    })().catch(async (error: Error) => {
      await send({ type: 'error', message: error.message });
      process.exit(1);
    });
  });
  await send({ type: 'ready' });
};

// Never outlive the bench.
process.on('disconnect', () => process.exit(0));

const mode = process.argv[2];
(mode === 'cold' ? cold() : warm()).catch(async (error: Error) => {
  await send({ type: 'error', message: error.stack ?? error.message }).catch(() => undefined);
  process.exit(1);
});
