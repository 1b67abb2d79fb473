/** Comments on a request (API.md 1.1 "Comments"): written by its two parties, read by them, auditors and admins. */
import * as z from 'zod/mini';
import { Id, Role, Timestamp, freeText, pageOf } from './common.js';

export const CommentText = freeText(1, 4000);

export const Comment = z
  .object({
    commentId: Id,
    requestId: Id,
    itemId: z.optional(Id),
    text: CommentText,
    author: z.object({ userId: Id, username: z.string(), role: Role, orgId: Id }),
    createdAt: Timestamp,
  })
  .register(z.globalRegistry, { id: 'Comment' });
export type Comment = z.infer<typeof Comment>;

export const CreateCommentBody = z.strictObject({ text: CommentText, itemId: z.optional(Id) });
export type CreateCommentBody = z.infer<typeof CreateCommentBody>;

export const CommentPage = pageOf(Comment);
