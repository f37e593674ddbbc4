/**
 * Validates answers against docs/openapi.yaml. The document's schemas are JSON Schema 2020-12
 * (the OpenAPI 3.1 dialect), so Ajv's 2020 validator checks bodies directly against them; the
 * document itself is checked against the OpenAPI 3.1 schema by tests/project/openapi.test.ts.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { load as loadYaml } from 'js-yaml';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';

export const OPENAPI_FILE = new URL('../../docs/openapi.yaml', import.meta.url);

interface HeaderObject {
  required?: boolean;
  schema: Record<string, unknown>;
}
type Ref = { $ref: string };
interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Ref>;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { schemas: Record<string, Record<string, unknown>>; headers: Record<string, HeaderObject> };
}

export const openapi = loadYaml(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;

const DOC_ID = 'openapi.json';
// strict: false lets OpenAPI's own keywords (example, x-error-key) sit beside the schema keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(openapi, DOC_ID);

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const validators = new Map<string, ValidateFunction>();
const validatorFor = (ref: string): ValidateFunction => {
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `${DOC_ID}#/${ref}` });
    validators.set(ref, validate);
  }
  return validate;
};

const resolveHeader = (header: HeaderObject | Ref): HeaderObject =>
  '$ref' in header ? (openapi.components.headers[header.$ref.replace('#/components/headers/', '')] as HeaderObject) : header;

/** An answer as the handler returns it, or as fetch received it (header names in any case). */
export interface Answer {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: string | undefined;
}

/**
 * Everything in `answer` that the document does not allow: an undocumented status, another
 * content type, a body that fails the status's schema, a missing or wrong documented header.
 * Returns an empty list when the answer conforms.
 */
export const openApiProblems = (answer: Answer, method = CHANGE_PASSWORD_ROUTE.method.toLowerCase(), path: string = CHANGE_PASSWORD_ROUTE.path): string[] => {
  const operation = openapi.paths[path]?.[method];
  if (operation === undefined) return [`${method.toUpperCase()} ${path} is not in the document`];
  const status = String(answer.statusCode);
  const response = operation.responses[status];
  if (response === undefined) return [`status ${status} is not documented for ${method.toUpperCase()} ${path}`];
  const headers = new Map(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const problems: string[] = [];

  for (const [name, declared] of Object.entries(response.headers ?? {})) {
    const header = resolveHeader(declared);
    const value = headers.get(name.toLowerCase());
    if (value === undefined) {
      if (header.required === true) problems.push(`header ${name} is required`);
      continue;
    }
    if (!ajv.validate(header.schema, value)) problems.push(`header ${name}: ${ajv.errorsText()}`);
  }

  if (response.content === undefined) {
    // A documented answer without a body (the CORS preflight's 204).
    return answer.body === undefined || answer.body === '' ? problems : [...problems, `status ${status} is documented without a body`];
  }
  const mediaType = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (response.content[mediaType] === undefined) {
    problems.push(`content type "${mediaType}" is not documented for status ${status}`);
    return problems;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body ?? '');
  } catch {
    return [...problems, 'body is not JSON'];
  }
  const validate = validatorFor(pointer('paths', path, method, 'responses', status, 'content', mediaType, 'schema'));
  if (!validate(body)) problems.push(`body: ${ajv.errorsText(validate.errors)}`);
  return problems;
};

/** Throws, naming each problem, unless `answer` conforms to docs/openapi.yaml. */
export const assertMatchesOpenApi = (answer: Answer, method = 'post'): void => {
  const problems = openApiProblems(answer, method);
  if (problems.length > 0) {
    throw new Error(`${answer.statusCode} answer does not match docs/openapi.yaml:\n- ${problems.join('\n- ')}`);
  }
};

/** The same check for a fetch Response; reads a clone, so the caller can still read the body. */
export const assertFetchMatchesOpenApi = async (res: Response): Promise<void> => {
  assertMatchesOpenApi({ statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.clone().text() });
};

/** fetch, with every answer held to docs/openapi.yaml (its method and path): for a client talking to the real server. */
export const openApiCheckedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const path = new URL(input instanceof Request ? input.url : input).pathname;
  const problems = openApiProblems({ statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.clone().text() }, (init?.method ?? 'GET').toLowerCase(), path);
  if (problems.length > 0) throw new Error(`${res.status} answer of ${path} does not match docs/openapi.yaml:\n- ${problems.join('\n- ')}`);
  return res;
};
