/**
 * Writes events/*.json: HTTP API (payload 2.0) events for each documented outcome, for
 * `npx sls invoke local -f changePassword -p events/<name>.json` while `npm start` runs. Tokens are
 * signed with the local dev secret for the demo user and expire in 2100; regenerate with
 * `npm run events`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PASSWORD_CHANGED_EVENT, passwordChangedDetail } from '../../lib/core/password-changed-event.js';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { DEMO_USER, mintToken } from '../local/dev-token.js';

const EXPIRES_2100 = 4_102_444_800;
const route: string = CHANGE_PASSWORD_ROUTE.path;
const POST: string = CHANGE_PASSWORD_ROUTE.method;
const seedBody = { oldPassword: DEMO_USER.password, newPassword: 'NewSecureP@ssw0rd!' };

const event = (headers: Record<string, string>, body: string) => ({
  version: '2.0',
  routeKey: `${POST} ${route}`,
  rawPath: route,
  rawQueryString: '',
  headers: { 'content-type': 'application/json', ...headers },
  requestContext: {
    accountId: '123456789012',
    apiId: 'local',
    domainName: 'localhost',
    http: { method: POST, path: route, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'sls-invoke-local' },
    requestId: 'local-request',
    routeKey: `${POST} ${route}`,
    stage: '$default',
    time: '27/Nov/2026:00:00:00 +0000',
    timeEpoch: 1_795_737_600_000,
  },
  body,
  isBase64Encoded: false,
});

/** The same event as if another method had reached the function (a direct invoke; API Gateway routes only POST). */
const withMethod = (method: string, e: ReturnType<typeof event>): ReturnType<typeof event> => ({
  ...e,
  routeKey: `${method} ${route}`,
  requestContext: { ...e.requestContext, routeKey: `${method} ${route}`, http: { ...e.requestContext.http, method } },
});

const bearer = async (userId: string) => ({ authorization: `Bearer ${await mintToken(userId, { expiresIn: EXPIRES_2100 })}` });
const demo = await bearer(DEMO_USER.userId);

const events: Record<string, ReturnType<typeof event>> = {
  'change-password': event(demo, JSON.stringify(seedBody)),
  'wrong-old-password': event(demo, JSON.stringify({ ...seedBody, oldPassword: 'NotTheP@ssw0rd1' })),
  'no-token': event({}, JSON.stringify(seedBody)),
  'bad-token': event({ authorization: 'Bearer not.a.valid-token' }, JSON.stringify(seedBody)),
  'unknown-user': event(await bearer('no-such-user'), JSON.stringify(seedBody)),
  'policy-violation': event(demo, JSON.stringify({ ...seedBody, newPassword: 'onlylowercase' })),
  'malformed-json': event(demo, '{"oldPassword":'),
  'invalid-fields': event(demo, JSON.stringify({ oldPassword: seedBody.oldPassword, newPassword: 'short' })),
  'password-unchanged': event(demo, JSON.stringify({ ...seedBody, newPassword: seedBody.oldPassword })),
  'unsupported-media-type': event({ ...demo, 'content-type': 'text/plain' }, JSON.stringify(seedBody)),
  'payload-too-large': event(demo, JSON.stringify({ ...seedBody, padding: 'x'.repeat(9000) })),
  'method-not-allowed': withMethod('GET', event(demo, '')),
};

for (const [name, body] of Object.entries(events)) {
  writeFileSync(new URL(`../../events/${name}.json`, import.meta.url), `${JSON.stringify(body, null, 2)}\n`);
}

/**
 * The PasswordChanged event EventBridge delivers to passwordChangedNotice after the demo user's
 * change, for `npx sls invoke local -f passwordChangedNotice -p events/notice/password-changed.json`
 * (docs/local-development.md). In its own folder: it is not an HTTP event.
 */
const passwordChanged = {
  version: '0',
  id: 'local-password-changed-1',
  'detail-type': PASSWORD_CHANGED_EVENT.detailType,
  source: PASSWORD_CHANGED_EVENT.source,
  account: '123456789012',
  time: '2026-11-27T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: passwordChangedDetail({ changeId: '0b6c3f0e-7d1a-4c5e-9a8b-2f4d6e8a1c3b', userId: DEMO_USER.userId, changedAt: '2026-11-27T00:00:00.000Z', requestId: 'local-request', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' }),
};
mkdirSync(new URL('../../events/notice/', import.meta.url), { recursive: true });
writeFileSync(new URL('../../events/notice/password-changed.json', import.meta.url), `${JSON.stringify(passwordChanged, null, 2)}\n`);
console.log(`wrote ${Object.keys(events).length + 1} events to events/`);
