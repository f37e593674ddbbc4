/**
 * Local stand-ins for a sick dependency, all on 127.0.0.1: a port nobody listens on, a server that
 * accepts and never answers, a server that answers every call with one canned DynamoDB error, and
 * a proxy in front of a real DynamoDB API server that loses chosen responses.
 */
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { listen } from './stand-in.js';

/** A port that was free a moment ago and on which nothing listens now: connections are refused. */
export const closedPort = async (): Promise<number> => {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** Accepts TCP connections and never sends a byte back. Counts connections. */
export const startBlackhole = async () => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    url: (path: string) => new URL(`http://127.0.0.1:${port}${path}`),
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** DynamoDB's JSON error shape: 400 with `x-amzn-errortype` and `__type`. */
export const dynamoError = (type: string, message: string, status = 400) => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': `${type}:`, 'x-amzn-requestid': 'fault-injection' },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
});

/** Answers every request with the same canned response; records each call's X-Amz-Target. */
export const startCannedServer = async (response: { status: number; headers: Record<string, string>; body: string }) => {
  const targets: string[] = [];
  const server = createHttpServer((req, res) => {
    targets.push(String(req.headers['x-amz-target'] ?? ''));
    req.resume();
    req.on('end', () => {
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    });
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    targets,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * Forwards every request to `upstream`. For the operations `lose` picks, the request is forwarded
 * and applied, then the response is thrown away and the client's connection reset: the caller
 * sees a network error for a call that succeeded.
 */
export const startLossyProxy = async (upstream: string, lose: (operation: string, nth: number) => boolean) => {
  const target = new URL(upstream);
  const seen = new Map<string, number>();
  const operations: string[] = [];
  const server = createHttpServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const nth = (seen.get(operation) ?? 0) + 1;
      seen.set(operation, nth);
      operations.push(operation);
      const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
        const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, resolve);
        out.on('error', reject);
        out.end(body);
      });
      const payload = await readAll(upstreamRes);
      if (lose(operation, nth)) {
        req.socket.destroy();
        return;
      }
      res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
      res.end(payload);
    })().catch(() => req.socket.destroy());
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** A promise with its resolve function outside, for gating a step of a test. */
export const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};
