/**
 * The function as `npm run bench` profiles it: the same module Lambda loads (handler.ts, built from
 * the same source with the same esbuild options as the package), with timers around the two
 * things whose cost is known from the floor: every DynamoDB DocumentClient `send`, and bcryptjs's
 * `compare` / `genSalt` + `hash` (also counted: bcrypt operations per change); and WebCrypto's
 * `importKey` / `verify`, where jose checks the token. Everything else (middy, jose, JSON, valibot,
 * policy, logger, response) is the remainder. The bench times the packaged bundle without these
 * timers; this build only says where the time goes.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import bcrypt from 'bcryptjs';
import { handler } from '../../functions/change-password/handler.js';

/** Milliseconds per phase of one request, from the handler's entry to its answer. */
export interface HandlerPhases {
  total: number;
  dynamo: number;
  /** How many DynamoDB calls the request made, and the first one's time (the read, or the attempt counter). */
  dynamoCalls: number;
  dynamoFirst: number;
  bcryptCompare: number;
  bcryptHash: number;
  /** From entry to the first DynamoDB call: middy, header normaliser, jose, JSON, valibot. */
  beforeFirstCall: number;
  /** In WebCrypto's importKey + verify: jose's HS256 check, which Node runs on its thread pool. */
  webCrypto: number;
  /** bcrypt operations (compare and hash calls; genSalt draws random bytes and is not one). */
  bcryptOps: number;
}

/** The request being timed, which the timers patched into the prototypes below add to. */
let active: { phases: HandlerPhases; startedAt: number } | undefined;

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const wrap = (target: Record<string, unknown>, name: string, onDone: (ms: number, phases: HandlerPhases) => void): void => {
  const original = target[name] as AsyncFn;
  target[name] = async function (this: unknown, ...args: unknown[]) {
    const timed = active;
    const start = performance.now();
    if (timed !== undefined && name === 'send' && timed.phases.dynamoCalls === 0) timed.phases.beforeFirstCall = start - timed.startedAt;
    try {
      return await original.apply(this, args);
    } finally {
      if (timed !== undefined) onDone(performance.now() - start, timed.phases);
    }
  };
};

// The bundle holds one copy of each module, so these patches reach the handler's own clients.
wrap(DynamoDBDocumentClient.prototype as unknown as Record<string, unknown>, 'send', (ms, p) => { if (p.dynamoCalls === 0) p.dynamoFirst = ms; p.dynamo += ms; p.dynamoCalls += 1; });
const bcryptObject = bcrypt as unknown as Record<string, unknown>;
wrap(bcryptObject, 'compare', (ms, p) => { p.bcryptCompare += ms; p.bcryptOps += 1; });
wrap(bcryptObject, 'genSalt', (ms, p) => { p.bcryptHash += ms; });
wrap(bcryptObject, 'hash', (ms, p) => { p.bcryptHash += ms; p.bcryptOps += 1; });
const subtle = Object.getPrototypeOf(globalThis.crypto.subtle) as Record<string, unknown>;
wrap(subtle, 'importKey', (ms, p) => { p.webCrypto += ms; });
wrap(subtle, 'verify', (ms, p) => { p.webCrypto += ms; });

/** Runs one request through the handler and returns its answer with the phases it spent. */
export const timedHandler = async (event: unknown, context: unknown): Promise<{ result: Awaited<ReturnType<typeof handler>>; phases: HandlerPhases }> => {
  const phases: HandlerPhases = { total: 0, dynamo: 0, dynamoCalls: 0, dynamoFirst: 0, bcryptCompare: 0, bcryptHash: 0, beforeFirstCall: 0, webCrypto: 0, bcryptOps: 0 };
  const startedAt = performance.now();
  active = { phases, startedAt };
  try {
    const result = await (handler as unknown as (e: unknown, c: unknown) => ReturnType<typeof handler>)(event, context);
    phases.total = performance.now() - startedAt;
    return { result, phases };
  } finally {
    active = undefined;
  }
};
