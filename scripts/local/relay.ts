/**
 * The local stack's relay of PasswordChanged events. In AWS the users table's stream starts the
 * relay function; dynalite (and a DynamoDB API server without streams) has none, so `npm start` with
 * EVENT_BUS_NAME sweeps the table every LOCAL_RELAY_SECONDS instead: every user whose record holds
 * pending events is relayed by the same use case, outbox and EventBridge publisher as in Lambda. A
 * bus that refuses leaves the events pending; the next sweep after it answers again publishes them,
 * so an event is late by at most one interval once the bus is back, and no request waits for it.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../../lib/adapters/eventbridge/change-notifier.js';
import { relayDependencies } from '../../lib/compose.js';
import type { RelayConfig } from '../../lib/config/load.js';

export interface LocalRelayOptions {
  config: RelayConfig;
  intervalMs: number;
  /** The shell's environment: the EventBridge client reads its region, credentials and AWS_ENDPOINT_URL_EVENTBRIDGE. */
  env: NodeJS.ProcessEnv;
  /** Told what each sweep did: events published, or the failure that left some pending. */
  report: (line: string) => void;
}

/** The EventBridge client of a laptop: the shell's settings, placeholder credentials for a local endpoint without any. */
const localClient = (env: NodeJS.ProcessEnv, region: string): EventBridgeClient => {
  const placeholders = env.AWS_ACCESS_KEY_ID === undefined && (env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? env.AWS_ENDPOINT_URL) !== undefined;
  return new EventBridgeClient({ region: env.AWS_REGION ?? region, maxAttempts: 1, ...(placeholders ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });
};

/** Starts sweeping; `stop()` ends it after the sweep in flight, `sweep()` runs one now. */
export const startLocalRelay = ({ config, intervalMs, env, report }: LocalRelayOptions) => {
  const { outbox, relayEveryRegion } = relayDependencies(config, eventBridgePublisher(config.eventBusName, localClient(env, config.region)));
  let inFlight: Promise<void> = Promise.resolve();
  const once = async (): Promise<void> => {
    let waiting = 0;
    let failure: string | undefined;
    for await (const userId of outbox.usersWithPending()) {
      try {
        const published = await relayEveryRegion(userId);
        report(`relay: published ${published} PasswordChanged event${published === 1 ? '' : 's'} of user ${userId}`);
      } catch (error) {
        waiting += 1;
        failure = (error as Error).name;
      }
    }
    if (failure !== undefined) report(`relay: ${waiting} user${waiting === 1 ? '' : 's'} with events waiting (${failure}); tried again in ${intervalMs / 1000} s`);
  };
  const sweep = (): Promise<void> => {
    inFlight = inFlight.then(once).catch((error: unknown) => report(`relay: cannot read the table (${(error as Error).name}); tried again in ${intervalMs / 1000} s`));
    return inFlight;
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    sweep,
    stop: async (): Promise<void> => {
      clearInterval(timer);
      await inFlight;
    },
  };
};
