/** Lambda entry: health, the OpenAPI document and the caller's identity. */
import { verifierFromEnv } from '../http/dependencies.js';
import { createHandler } from '../http/public.js';

export const handler = createHandler({ verifier: verifierFromEnv() });
