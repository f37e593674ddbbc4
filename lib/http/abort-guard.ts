import { AppError } from '../core/errors.js';

/**
 * Wraps a port (the user store) so that no call on it starts once `signal` has aborted.
 *
 * middy aborts the handler's signal when it answers 503 just before the Lambda deadline, but it
 * cannot stop the handler's promise: the use case carries on in the background (in Lambda, after
 * the next thaw). Without this guard, a request the client was told failed could still go on to
 * write the new hash. A call already in flight is not interrupted (its conditional write is atomic
 * either way); every later call rejects with SERVICE_UNAVAILABLE instead of reaching DynamoDB.
 *
 * A Proxy, so methods added to the port later are guarded without touching this file.
 */
export const guardWithSignal = <T extends object>(port: T, signal: AbortSignal): T =>
  new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (signal.aborted) {
          return Promise.reject(new AppError('SERVICE_UNAVAILABLE', { cause: { reason: 'aborted before a store call', call: String(key) } }));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
