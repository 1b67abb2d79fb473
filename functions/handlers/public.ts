/** Lambda entry: health, the OpenAPI document and the caller's identity; no table access. */
import { createHandler } from '../http/public.js';
import { verifierFromEnv } from '../http/verifier-from-env.js';

export const handler = createHandler({ verifier: verifierFromEnv() });
