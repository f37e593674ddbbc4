import { cleanUserAgent } from '../core/password-changed.js';

/** The parts of an API Gateway event (REST v1 or HTTP API v2) this function reads. */
export interface HttpEvent {
  /** '2.0' for HTTP API payload v2; absent or '1.0' for REST API events. */
  version?: string;
  headers?: Record<string, string | undefined> | null;
  /** The raw body; the body middlewares replace it with the parsed JSON value. */
  body?: unknown;
  isBase64Encoded?: boolean;
  httpMethod?: string;
  requestContext?: {
    requestId?: string;
    http?: { method?: string; sourceIp?: string; userAgent?: string };
    identity?: { sourceIp?: string | null };
  };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const requestMethod = (event: HttpEvent): string | undefined => event.requestContext?.http?.method ?? event.httpMethod;

export const sourceIp = (event: HttpEvent): string | undefined =>
  event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp ?? undefined;

/** The request's User-Agent (the header, else what API Gateway recorded), cleaned for logs, events and emails. */
export const userAgent = (event: HttpEvent): string | undefined => {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'user-agent')?.[1];
  return cleanUserAgent(header ?? event.requestContext?.http?.userAgent);
};
