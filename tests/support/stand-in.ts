/**
 * A local HTTP stand-in for a third-party service (JWKS, SSM, EventBridge, an API the client
 * calls): a real server on 127.0.0.1 that the real client talks to. Port 0 lets the OS choose, so
 * two runs never race for a port; a fixed port is only for "the service comes back on the same
 * address" tests, with a port the test itself held.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';

/** Listens on 127.0.0.1 and resolves to the port. */
export const listen = async (server: NetServer, port = 0): Promise<number> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
};

/** Reads a whole request body as text. */
export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

export interface StandIn {
  port: number;
  baseUrl: string;
  /** A URL on the stand-in, e.g. url('/.well-known/jwks.json'). */
  url: (path: string) => URL;
  /** How many requests it has received. */
  hits: () => number;
  stop: () => Promise<void>;
}

/** Starts a stand-in answering every request with `handler`. */
export const startStandIn = async (handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<StandIn> => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  const actual = await listen(server, port);
  const baseUrl = `http://127.0.0.1:${actual}`;
  return {
    port: actual,
    baseUrl,
    url: (path) => new URL(`${baseUrl}${path}`),
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** A stand-in that answers every request with one status and JSON body. */
export const startJsonStandIn = (status: number, body: string | (() => string), port = 0): Promise<StandIn> =>
  startStandIn((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : body()), port);
