/**
 * Vitest globalSetup of the HTTP tests: one `npm start` (serverless-offline over dynalite) for all
 * of them, instead of one per file. It runs the way a platform team tries the function with its
 * own HS256 secret exported in the shell (JWT_SECRET): the printed token is signed with it, and so
 * are the tests' tokens. Each file seeds its own users; only the printed-curl test uses the demo
 * user. The server's address, printed token and secret reach the tests through `inject('localServer')`.
 * Step-up is on for enrolled users (MFA_REQUIRED=when-enrolled), which changes nothing for the
 * others, so the variable's way through serverless.yml is tried too. So are the nist profile
 * (every new password the tests choose has 15 or more characters, so only the length by factor
 * tells) and OTHER_SESSIONS_ON_CHANGE=user-choice (a body without signOutOtherSessions still
 * ends the other sessions).
 */
import type { TestProject } from 'vitest/node';
import { startLocalServer } from './local-server.js';

/** The platform's own secret, as exported in the shell that runs `npm start`. */
const SHELL_JWT_SECRET = 'the-platform-own-hs256-secret-0123456789';

export interface SharedLocalServer {
  baseUrl: string;
  dynamoEndpoint: string;
  table: string;
  /** The demo user's token that npm start printed. */
  token: string;
  /** What npm start printed up to its ready line. */
  output: string;
  /** JWT_SECRET in npm start's shell: what its tokens are signed and verified with. */
  jwtSecret: string;
  /** serverless-esbuild's work folder for this server (ESBUILD_WORK_FOLDER). */
  esbuildFolder: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localServer: SharedLocalServer;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startLocalServer('http-shared', { JWT_SECRET: SHELL_JWT_SECRET, MFA_REQUIRED: 'when-enrolled', PASSWORD_PROFILE: 'nist', OTHER_SESSIONS_ON_CHANGE: 'user-choice' });
  const { baseUrl, dynamoEndpoint, table, token, esbuildFolder } = server;
  project.provide('localServer', { baseUrl, dynamoEndpoint, table, token, output: server.output(), jwtSecret: SHELL_JWT_SECRET, esbuildFolder });
  return server.stop;
}
