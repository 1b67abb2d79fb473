/** Payloads of the unaudited endpoints and the error body. */
import * as z from 'zod/mini';
import { PROBLEM_CODES, type ProblemCode } from '../core/errors.js';
import { Id, Role } from './common.js';

export const Health = z.object({ status: z.literal('ok') });

export const Me = z.object({ userId: Id, username: z.string(), role: Role, orgId: z.optional(Id) });
export type Me = z.infer<typeof Me>;

/** Every precise rule a problem names; clients act on these, so they are a contract (add, never rename). */
export const ProblemCodeSchema = z
  .enum(Object.keys(PROBLEM_CODES) as [ProblemCode, ...ProblemCode[]])
  .register(z.globalRegistry, {
    id: 'ProblemCode',
    description: Object.entries(PROBLEM_CODES)
      .map(([code, meaning]) => `\`${code}\`: ${meaning}`)
      .join('\n'),
  });

/** RFC 9457 problem details. `type` names the family (`urn:evidence-requests:problem:<family>`), `code` the precise rule. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: ProblemCodeSchema,
    detail: z.optional(z.string()),
    correlationId: z.string(),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem' });
export type Problem = z.infer<typeof Problem>;
