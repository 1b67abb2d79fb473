/** Payloads of the unaudited endpoints and the error body. */
import * as z from 'zod/mini';
import { Id, Role } from './common.js';

export const Health = z.object({ status: z.literal('ok') });

export const Me = z.object({ userId: Id, username: z.string(), role: Role, orgId: z.optional(Id) });
export type Me = z.infer<typeof Me>;

/** RFC 9457 problem details. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    correlationId: z.string(),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem' });
export type Problem = z.infer<typeof Problem>;
