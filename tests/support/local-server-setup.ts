/**
 * Vitest globalSetup of the HTTP tests: one `npm start` (serverless-offline over dynalite) for all
 * of them, instead of one per file. Each file seeds its own users; only the printed-curl test uses
 * the demo user. The server's address and printed token reach the tests through `inject('localServer')`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalServer } from './local-server.js';

export interface SharedLocalServer {
  baseUrl: string;
  dynamoEndpoint: string;
  table: string;
  /** The demo user's token that npm start printed. */
  token: string;
  /** What npm start printed up to its ready line. */
  output: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localServer: SharedLocalServer;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startLocalServer('http-shared');
  const { baseUrl, dynamoEndpoint, table, token } = server;
  project.provide('localServer', { baseUrl, dynamoEndpoint, table, token, output: server.output() });
  return server.stop;
}
