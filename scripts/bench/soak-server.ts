/**
 * The exported Lambda handler behind a tiny node:http server, for `npm run soak` (SOAK_SERVER=in-process).
 *
 * One long-lived, warm handler (configuration and clients built once by lib/compose.ts, as at a cold start),
 * each HTTP request turned into an HTTP API payload 2.0 event with a 10 s Lambda context. Unlike
 * serverless-offline, which starts a worker per concurrent request and relays it through Hapi, this
 * measures the function itself. Reads DYNAMODB_ENDPOINT, USERS_TABLE, JWT_SECRET, BCRYPT_COST like
 * the function; listens on 127.0.0.1:PORT and prints "ready" when it does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { changePasswordHandler } from '../../lib/compose.js';
import type { HttpEvent } from '../../lib/http/event.js';

// Many requests at once in one process, as serverless-offline's workers are not: the policy's
// checks wait for the attempt reservation instead of overlapping it.
const handler = changePasswordHandler(undefined, { concurrency: 'many' });
const LAMBDA_TIMEOUT_MS = 10_000;
const MAX_REQUEST_BYTES = 1 << 20;

/** A Lambda context with a 10 s deadline from now, as the runtime gives one. */
const context = (awsRequestId: string): Context => {
  const deadline = Date.now() + LAMBDA_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'change-password-soak',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:change-password-soak',
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: '/aws/lambda/change-password-soak',
    logStreamName: 'soak',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** Reads a request's body, keeping at most MAX_REQUEST_BYTES. */
const bodyOf = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

/** The HTTP API (payload 2.0) event for a request; `requestId` names it in the function's logs. */
const eventOf = (req: IncomingMessage, body: string, requestId: string): HttpEvent => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return {
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { requestId, http: { method: req.method ?? 'GET', sourceIp: req.socket.remoteAddress ?? '127.0.0.1' } },
  };
};

/** Serves each request through the handler, numbering the invocations (the event carries the count so far, the context the next number). */
const serve = () => {
  let requests = 0;
  return (req: IncomingMessage, res: ServerResponse): void => {
    void bodyOf(req).then((body) => {
      const event = eventOf(req, body, `soak-${requests}`);
      requests += 1;
      return handler(event, context(`soak-${requests}`)).then(
        (result) => res.writeHead(result.statusCode, result.headers).end(result.body),
        () => res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal server error"}'),
      );
    });
  };
};

const server = createServer(serve());
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`ready on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
