import type { MiddlewareObj } from '@middy/core';
import { AppError } from '../core/errors.js';
import { requestMethod, type HttpEvent, type HttpResult } from './event.js';

/** 405 for any other method than the route's (direct invokes; API Gateway routes only the route's). */
export const onlyMethod = (method: string): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: ({ event }) => {
    const actual = requestMethod(event);
    if (actual !== undefined && actual.toUpperCase() !== method) throw new AppError('METHOD_NOT_ALLOWED');
  },
});
