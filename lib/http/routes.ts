/** The routes this service answers, as API Gateway, serverless.yml, the OpenAPI document and the client name them. */
export const CHANGE_PASSWORD_ROUTE = { method: 'POST', path: '/v1/users/profile/change-password' } as const;
