import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../../lib/http/request-schema.js';
import { ERRORS, toErrorResponse, AppError, type ErrorDetails, type ErrorKey } from '../../lib/core/errors.js';
import { jsonResponse } from '../../lib/http/envelope.js';
import { CHANGE_PASSWORD_ROUTE, PASSWORD_POLICY_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';
import { openApiProblems, openapi } from '../support/openapi.js';

const ROUTE = CHANGE_PASSWORD_ROUTE.path;

const operation = openapi.paths[ROUTE]?.post;
const schemas = openapi.components.schemas;

interface ErrorSchema {
  'x-error-key'?: string;
  allOf?: [unknown, { properties: { error: { properties: { code: { const: number }; message: { const: string } } } } }];
}

/** The error schemas of the document by their x-error-key, with the code and message they pin. */
const documentedErrors = new Map(
  Object.entries(schemas as Record<string, ErrorSchema>)
    .filter(([, schema]) => schema['x-error-key'] !== undefined)
    .map(([name, schema]) => {
      const pinned = schema.allOf?.[1].properties.error.properties;
      return [schema['x-error-key'] as string, { name, code: pinned?.code.const, message: pinned?.message.const }];
    }),
);

/** Schema names a response refers to, directly or through oneOf. */
const referencedSchemas = (status: number): string[] => {
  const schema = operation?.responses[String(status)]?.content?.['application/json']?.schema as { $ref?: string; oneOf?: { $ref: string }[] } | undefined;
  const refs = schema?.oneOf?.map((s) => s.$ref) ?? (schema?.$ref === undefined ? [] : [schema.$ref]);
  return refs.map((ref) => ref.replace('#/components/schemas/', ''));
};

describe('docs/openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(openapi) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every row of lib/core/errors.ts ERRORS with the same status, code and message', () => {
    for (const [key, row] of Object.entries(ERRORS)) {
      const documented = documentedErrors.get(key);
      expect(documented, `${key} has no schema with x-error-key: ${key}`).toBeDefined();
      expect({ key, code: documented?.code, message: documented?.message }).toEqual({ key, code: row.code, message: row.message });
      expect(referencedSchemas(row.status), `${key} is not among the ${row.status} answers`).toContain(documented?.name);
      const examples = operation?.responses[String(row.status)]?.content?.['application/json'] as { example?: unknown; examples?: Record<string, { value: unknown }> } | undefined;
      const shown = examples?.examples?.[key]?.value ?? examples?.example;
      expect(shown, `${key} has no example`).toMatchObject({ status: false, error: { code: row.code, message: row.message } });
    }
  });

  it('documents no error code that lib/core/errors.ts does not have', () => {
    expect([...documentedErrors.keys()].sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('has the seed contract: the route, bearer security, the body limits and the example', () => {
    expect(operation).toBeDefined();
    // The change route, the published policy, and the sample route behind the token authorizer (GET only).
    expect(Object.keys(openapi.paths)).toEqual([ROUTE, PASSWORD_POLICY_ROUTE.path, SESSION_ROUTE.path]);
    expect(Object.keys(openapi.paths[SESSION_ROUTE.path] ?? {})).toEqual([SESSION_ROUTE.method.toLowerCase()]);
    expect(Object.keys(openapi.paths[PASSWORD_POLICY_ROUTE.path] ?? {})).toEqual([PASSWORD_POLICY_ROUTE.method.toLowerCase()]);
    // POST, and OPTIONS for the CORS preflight: nothing else is routed.
    expect(Object.keys(openapi.paths[ROUTE] ?? {}).sort()).toEqual([CHANGE_PASSWORD_ROUTE.method.toLowerCase(), 'options'].sort());
    expect(openapi).toMatchObject({
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    });
    // The contract's 8–128 characters, in the document and in the code that enforces them.
    expect(schemas.Password).toMatchObject({ type: 'string', minLength: 8, maxLength: 128 });
    expect([PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS]).toEqual([8, 128]);
    expect(schemas.ChangePasswordRequest).toMatchObject({ required: ['oldPassword', 'newPassword'] });
    expect(operation).toMatchObject({
      requestBody: { required: true, content: { 'application/json': { example: { oldPassword: 'CurrentSecureP@ss123', newPassword: 'NewSecureP@ssw0rd!' } } } },
    });
  });

  it('accepts every example it shows', () => {
    for (const [status, response] of Object.entries(operation?.responses ?? {})) {
      const media = response.content?.['application/json'] as { example?: unknown; examples?: Record<string, { value: unknown }> };
      const shown = [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value)].filter((e) => e !== undefined);
      expect(shown.length, `status ${status} shows no example`).toBeGreaterThan(0);
      for (const example of shown) {
        // A 429 always says when the window ends; jsonResponse adds Retry-After to a 503 by itself.
        expect(openApiProblems(jsonResponse(Number(status), example, status === '429' ? 60 : undefined)), `status ${status}`).toEqual([]);
      }
    }
  });
});

describe('the response validator the tests use', () => {
  const answer = (key: ErrorKey, details?: ErrorDetails) => {
    const { status, body, retryAfterSeconds } = toErrorResponse(new AppError(key, { ...(details === undefined ? {} : { details }), ...(key === 'TOO_MANY_ATTEMPTS' ? { retryAfterSeconds: 60 } : {}) }));
    return jsonResponse(status, body, retryAfterSeconds);
  };

  it('accepts each error envelope the code produces', () => {
    for (const key of Object.keys(ERRORS) as ErrorKey[]) {
      const details: ErrorDetails | undefined = {
        INVALID_FIELDS: { fieldErrors: ['newPassword:tooShort'] },
        PASSWORD_POLICY: { failedRules: ['upper'] },
        PASSWORD_REUSED: { historySize: 5 },
        MFA_REQUIRED: { reason: 'mfaRequired' },
      }[key as string];
      expect(openApiProblems(answer(key, details)), key).toEqual([]);
    }
  });

  it('refuses a 4003 without a reason, or with a reason it does not list', () => {
    expect(openApiProblems(answer('MFA_REQUIRED', { reason: 'reauthenticationRequired' }))).toEqual([]);
    expect(openApiProblems(answer('MFA_REQUIRED'))).not.toEqual([]);
    expect(openApiProblems(answer('MFA_REQUIRED', { reason: 'passwordTooOld' }))).not.toEqual([]);
  });

  it('refuses a message that drifted from its code', () => {
    const res = jsonResponse(400, { status: false, error: { code: 5023, message: 'Wrong password' } });
    expect(openApiProblems(res).join()).toMatch(/body/);
  });

  it('refuses a code under the wrong status', () => {
    const res = jsonResponse(401, { status: false, error: { code: 5023, message: 'Incorrect old password' } });
    expect(openApiProblems(res)).not.toEqual([]);
  });

  it('refuses an undocumented status', () => {
    expect(openApiProblems(jsonResponse(418, { status: false, error: { code: 1, message: 'teapot' } }))).toEqual([
      `status 418 is not documented for POST ${ROUTE}`,
    ]);
  });

  it('refuses a 503 without Retry-After, a missing no-store and a non-JSON content type', () => {
    const unavailable = answer('SERVICE_UNAVAILABLE');
    delete unavailable.headers['Retry-After'];
    expect(openApiProblems(unavailable)).toEqual(['header Retry-After is required']);

    const cached = answer('ENTITY_NOT_FOUND');
    cached.headers['Cache-Control'] = 'max-age=60';
    expect(openApiProblems(cached).join()).toMatch(/Cache-Control/);

    const html = { ...answer('INTERNAL'), headers: { 'Content-Type': 'text/html' } };
    expect(openApiProblems(html).join()).toMatch(/content type "text\/html"/);
  });

  it('refuses extra fields, missing details and a changed success body', () => {
    expect(openApiProblems(jsonResponse(200, { status: true, data: { passwordChanged: 'OK' }, token: 'x' }))).not.toEqual([]);
    expect(openApiProblems(jsonResponse(200, { status: true, data: { passwordChanged: 'ok' } }))).not.toEqual([]);
    expect(openApiProblems(answer('PASSWORD_POLICY'))).not.toEqual([]);
    expect(openApiProblems(answer('INVALID_FIELDS', { fieldErrors: ['newPassword:hunter2'] }))).not.toEqual([]);
  });
});
