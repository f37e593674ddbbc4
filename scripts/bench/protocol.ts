/** What `npm run bench` and its measuring processes (scripts/bench/child.ts) say to each other. */
import type { HandlerPhases } from './instrumented.js';

/** One change to make: a freshly seeded user, a token minted for it, its password and a new one. */
export interface BenchJob {
  userId: string;
  token: string;
  oldPassword: string;
  newPassword: string;
}

/**
 * handler: the packaged bundle; floor: the floor bundle; instrumented: handler.ts with timers
 * (scripts/bench/instrumented.ts); floorTimed: the floor with its steps timed.
 */
export type Side = 'handler' | 'floor' | 'instrumented' | 'floorTimed';

/** A block of changes, run one after another in the order given (the bench interleaves the sides). */
export interface Step {
  side: Side;
  job: BenchJob;
}

export type ParentMessage = { type: 'run'; steps: Step[] } | { type: 'exit' };

export type ChildMessage =
  | { type: 'ready' }
  /** One latency per step, in step order; phases for the steps of the timed sides. */
  | { type: 'block'; latencies: number[]; cpu: number[]; phases: (HandlerPhases | undefined)[] }
  | {
    type: 'cold';
    /** Wall-clock milliseconds: Node's own start (to the child's first line), the import, the first change, and all since the process started. */
    bootMs: number;
    importMs: number;
    firstChangeMs: number;
    sinceStartMs: number;
    /** CPU milliseconds of the process (all threads) in the same stretches. */
    cpu: { boot: number; import: number; firstChange: number; total: number };
    maxRssKb: number;
  }
  | { type: 'bye'; maxRssKb: number }
  | { type: 'error'; message: string };
