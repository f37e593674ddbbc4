/**
 * A local stand-in for the Pwned Passwords range API (GET /range/{prefix}) on 127.0.0.1, for the
 * function's range client to talk to over HTTP. It answers from the passwords a test registers,
 * padded like the real API (gzip-compressed when asked, as the real API's CDN does), or misbehaves
 * on demand: down, slow, garbage, a cut-off body.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * How the stand-in answers. `range`: the real format. `error`: 503. `html`: a proxy's 200 HTML page.
 * `truncated`: a 200 whose body stops mid-line (a complete HTTP message). `cut`: a 200 that promises
 * more bytes than it sends, then closes. `slow`: headers, then nothing. `hang`: no answer at all.
 * `empty`: a 200 with no body. `redirect`: a 301 to the same path on another host. `custom`: a 200
 * with the body `answerWith` set.
 */
export type RangeMode = 'range' | 'error' | 'html' | 'truncated' | 'cut' | 'slow' | 'hang' | 'empty' | 'redirect' | 'custom';

const sha1 = (password: string) => createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();

/** Padding lines as the real API adds them: random suffixes with a count of 0. */
const padding = (n: number) => Array.from({ length: n }, () => `${randomBytes(18).toString('hex').toUpperCase().slice(0, 35)}:0`);

export const startRangeApi = async () => {
  const counts = new Map<string, number>();
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  const sockets = new Set<Socket>();
  let abandoned = 0;
  let mode: RangeMode = 'range';
  let delayMs = 0;
  let compress = false;
  let custom = (_prefix: string): string => '';

  const body = (prefix: string): string => {
    const lines = [...counts].filter(([hash]) => hash.startsWith(prefix)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
    return [...lines, ...padding(20)].sort().join('\r\n');
  };

  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    res.on('close', () => {
      if (!res.writableFinished) abandoned += 1;
    });
    const prefix = /^(?:\/[^/?]+)*\/range\/([0-9A-F]{5})(\?|$)/i.exec(req.url ?? '')?.[1]?.toUpperCase();
    const answer = () => {
      if (mode === 'hang') return;
      if (mode === 'slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(body(prefix ?? '00000').slice(0, 100));
        return;
      }
      if (mode === 'error') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      if (mode === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html>\n<html><body><h1>Proxy login</h1></body></html>\n');
        return;
      }
      if (mode === 'redirect') {
        res.writeHead(301, { location: `http://127.0.0.2:1${req.url ?? '/'}` }).end();
        return;
      }
      if (mode === 'empty') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end();
        return;
      }
      if (prefix === undefined) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('The hash prefix was not in a valid format');
        return;
      }
      const text = mode === 'custom' ? custom(prefix) : body(prefix);
      if (mode === 'truncated') {
        // Ends in the middle of a suffix, and says so honestly in Content-Length.
        const cut = text.slice(0, text.indexOf('\r\n') + 20);
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(cut) }).end(cut);
        return;
      }
      if (mode === 'cut') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      if (compress && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(text));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    /** Every request received, in order. */
    requests,
    /** How many requests the client hung up on before this stand-in had finished answering them. */
    abandoned: () => abandoned,
    /** The corpus counts this password `count` times (0: only as padding). */
    add: (password: string, count: number) => counts.set(sha1(password), count),
    setMode: (next: RangeMode) => (mode = next),
    /** Answers every prefix with this body (a mirror's own format, malformed lines), as a 200. */
    answerWith: (text: (prefix: string) => string) => {
      mode = 'custom';
      custom = text;
    },
    /** Compresses a range with gzip when the request accepts it, as the real API's CDN does. */
    setCompression: (on: boolean) => (compress = on),
    /** Waits this long before answering (so concurrent requests overlap). */
    setDelay: (ms: number) => (delayMs = ms),
    reset: () => {
      requests.length = 0;
      abandoned = 0;
      mode = 'range';
      delayMs = 0;
      compress = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

export type RangeApi = Awaited<ReturnType<typeof startRangeApi>>;
