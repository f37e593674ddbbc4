/**
 * A local stand-in for Amazon SES v2's SendEmail (REST JSON: `POST /v2/email/outbound-emails`) and
 * a real SDK client pointed at it, so the sender is tested through the SDK's own serialisation,
 * retries and error handling.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { readBody, startStandIn } from './stand-in.js';

/** The request body SendEmail puts on the wire (simple content). */
export interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string; Charset?: string }; Body?: { Text?: { Data?: string; Charset?: string }; Html?: { Data?: string; Charset?: string } } } };
}

/** What the stand-in answers: accepted, or an SES error (e.g. 429 TooManyRequestsException) for the next `times` requests. */
export type SendEmailAnswer = { status: number; type: string; times?: number };

export const startSesStandIn = async () => {
  const requests: { method: string | undefined; path: string | undefined; body: SendEmailRequest }[] = [];
  const accepted: SendEmailRequest[] = [];
  let failure: SendEmailAnswer | undefined;
  const standIn = await startStandIn((req, res) => {
    void readBody(req).then((raw) => {
      requests.push({ method: req.method, path: req.url, body: JSON.parse(raw) as SendEmailRequest });
      if (failure !== undefined && (failure.times ?? Infinity) > 0) {
        failure.times = (failure.times ?? Infinity) - 1;
        res.writeHead(failure.status, { 'content-type': 'application/json', 'x-amzn-errortype': failure.type }).end(JSON.stringify({ message: 'stand-in failure' }));
        return;
      }
      accepted.push(JSON.parse(raw) as SendEmailRequest);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `message-${accepted.length}` }));
    });
  });
  return {
    /** Where the stand-in listens, for a client configured from the environment (AWS_ENDPOINT_URL_SESV2). */
    endpoint: standIn.baseUrl,
    requests,
    /** The emails accepted so far (refused requests left out). */
    accepted,
    failWith: (next: SendEmailAnswer | undefined) => {
      failure = next === undefined ? undefined : { ...next };
    },
    /** The real SES v2 client, talking to the stand-in; `maxAttempts` 1 unless said, so a failure is seen once. */
    client: (maxAttempts = 1) => new SESv2Client({ endpoint: standIn.baseUrl, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts }),
    stop: standIn.stop,
  };
};
