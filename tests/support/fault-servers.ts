/**
 * Local stand-ins for a sick dependency, all on 127.0.0.1: a port nobody listens on, a server that
 * accepts and never answers, a server that answers every call with one canned DynamoDB error, and
 * proxies in front of a real DynamoDB API server that lose chosen responses or refuse chosen
 * writes as a conflict with another Region.
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

/** One call through a fault proxy: its operation, how many of that operation so far (from 1), its JSON body. */
export interface ProxiedCall {
  operation: string;
  nth: number;
  body: Record<string, unknown>;
}
type CannedResponse = ReturnType<typeof dynamoError>;

/**
 * Forwards every request to `upstream`, except those `fault` picks: a canned response is answered
 * in place of forwarding (the request never reaches `upstream`); 'lose' forwards and applies the
 * request, then throws the response away and resets the client's connection (the caller sees a
 * network error for a call that succeeded). Records every operation, and the calls it faulted.
 */
const startFaultProxy = async (upstream: string, fault: (call: ProxiedCall) => CannedResponse | 'lose' | undefined) => {
  const target = new URL(upstream);
  const seen = new Map<string, number>();
  const operations: string[] = [];
  const faulted: ProxiedCall[] = [];
  const server = createHttpServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const nth = (seen.get(operation) ?? 0) + 1;
      seen.set(operation, nth);
      operations.push(operation);
      const call = { operation, nth, body: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> };
      const verdict = fault(call);
      if (verdict !== undefined) faulted.push(call);
      if (verdict !== undefined && verdict !== 'lose') {
        res.writeHead(verdict.status, verdict.headers);
        res.end(verdict.body);
        return;
      }
      const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
        const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, resolve);
        out.on('error', reject);
        out.end(body);
      });
      const payload = await readAll(upstreamRes);
      if (verdict === 'lose') {
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
    faulted,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** Loses the responses of the operations `lose` picks, after `upstream` applied them (see startFaultProxy). */
export const startLossyProxy = (upstream: string, lose: (operation: string, nth: number) => boolean) =>
  startFaultProxy(upstream, ({ operation, nth }) => (lose(operation, nth) ? 'lose' : undefined));

/**
 * A DynamoDB global table with multi-Region strong consistency as one Region sees it while another
 * Region writes the same item: the calls `conflict` picks are refused with 400
 * ReplicatedWriteConflictException and change nothing; every other call reaches `upstream`.
 */
export const startWriteConflictProxy = (upstream: string, conflict: (call: ProxiedCall) => boolean) =>
  startFaultProxy(upstream, (call) => (conflict(call) ? dynamoError('ReplicatedWriteConflictException', 'Conflict with a write replicated from another Region') : undefined));

/** A promise with its resolve function outside, for gating a step of a test. */
export const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};
