import { expect } from 'vitest';
import { AppError } from '../../lib/core/errors.js';

/** The AppError a promise rejects with (its key, cause, details, Retry-After); fails the test if it resolves or rejects with anything else. */
export const appErrorOf = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};
