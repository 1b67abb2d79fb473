/**
 * How identity travels in a Cognito access token. The pre-token-generation trigger copies
 * the user's organisation attribute into the access token under ORG_CLAIM; the local token
 * issuer signs the same claims.
 */
export const ORG_CLAIM = 'org_id';
/** The Cognito user attribute holding the organisation; only admins may write it. */
export const ORG_ATTRIBUTE = 'custom:org_id';
export const GROUPS_CLAIM = 'cognito:groups';
/** OAuth scope the API methods require, so API Gateway's authorizer accepts access tokens. */
export const API_SCOPE = 'evidence-api/access';
/** Scopes the web console's app client asks for and may be granted (Cognito managed login and the local issuer). */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile', API_SCOPE] as const;
