/**
 * A local stand-in for SSM Parameter Store's GetParameter (AWS JSON 1.1 over HTTP), for the real
 * SSM client (through Powertools Parameters) to talk to; and the client settings that point at it.
 */
import { readBody, startStandIn } from './stand-in.js';

/** What the stand-in answers: the parameter's value (none: a parameter without one), or an SSM error. */
export type GetParameterAnswer = { value: string | undefined } | { status: number; type: string };

export const startSsmStandIn = async () => {
  const requests: { target: string | undefined; body: { Name?: string; WithDecryption?: boolean } }[] = [];
  let answer: GetParameterAnswer = { value: undefined };
  const standIn = await startStandIn((req, res) => {
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as { Name?: string; WithDecryption?: boolean };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if ('value' in answer) {
        res.end(JSON.stringify({ Parameter: { Name: body.Name, Type: 'SecureString', Value: answer.value, Version: 1 } }));
      } else {
        res.statusCode = answer.status;
        res.end(JSON.stringify({ __type: answer.type, message: 'stand-in failure' }));
      }
    });
  });
  return {
    requests,
    answerWith: (next: GetParameterAnswer) => {
      answer = next;
    },
    /** SSM client settings for createSecretFetcher: the stand-in, with test credentials. */
    clientConfig: { endpoint: standIn.baseUrl, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    stop: standIn.stop,
  };
};
