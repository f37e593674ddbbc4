/** The routes this service answers, as API Gateway, serverless.yml, the OpenAPI document and the client name them. */
export const CHANGE_PASSWORD_ROUTE = { method: 'POST', path: '/v1/users/profile/change-password' } as const;
/** The sample route behind the token authorizer: who the bearer token says the caller is. */
export const SESSION_ROUTE = { method: 'GET', path: '/v1/session' } as const;
/** The published password policy: no token, cacheable. */
export const PASSWORD_POLICY_ROUTE = { method: 'GET', path: '/v1/password-policy' } as const;
