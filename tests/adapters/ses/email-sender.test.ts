import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sesEmailSender } from '../../../lib/adapters/ses/email-sender.js';
import { startSesStandIn } from '../../support/ses.js';

/** The SES v2 sender: the real SDK client against a local stand-in for SendEmail. */
let ses: Awaited<ReturnType<typeof startSesStandIn>>;
const EMAIL = { from: 'no-reply@example.com', to: ['owner@example.org', 'recovery@example.net'], subject: 'Your password was changed', text: 'plain words', html: '<p>html words</p>' };

beforeAll(async () => {
  ses = await startSesStandIn();
});
afterAll(() => ses.stop());
beforeEach(() => {
  ses.requests.length = 0;
  ses.accepted.length = 0;
  ses.failWith(undefined);
});

describe('sesEmailSender', () => {
  it('sends one SendEmail (POST /v2/email/outbound-emails) with the sender, every recipient, and simple UTF-8 content', async () => {
    await sesEmailSender(ses.client())(EMAIL);

    expect(ses.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /v2/email/outbound-emails']);
    expect(ses.accepted).toEqual([{
      FromEmailAddress: EMAIL.from,
      Destination: { ToAddresses: EMAIL.to },
      Content: {
        Simple: {
          Subject: { Data: EMAIL.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: EMAIL.text, Charset: 'UTF-8' }, Html: { Data: EMAIL.html, Charset: 'UTF-8' } },
        },
      },
    }]);
  });

  it.each([
    [429, 'TooManyRequestsException'],
    [400, 'MessageRejected'],
    [500, 'InternalFailure'],
  ])('rejects with SES\'s error when it answers %i %s', async (status, type) => {
    ses.failWith({ status, type });

    const error = await sesEmailSender(ses.client())(EMAIL).then(() => undefined, (e: unknown) => e as Error);

    expect(error?.name).toBe(type);
    expect(ses.accepted).toEqual([]);
  });

  it('lets the client retry a throttled send within its attempts', async () => {
    ses.failWith({ status: 429, type: 'TooManyRequestsException', times: 1 });

    await sesEmailSender(ses.client(2))(EMAIL);

    expect(ses.requests).toHaveLength(2);
    expect(ses.accepted).toHaveLength(1);
  });
});
