/** Building blocks shared by every payload schema. */
import * as z from 'zod/mini';

export const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
export const Id = text(1, 100);
export const Timestamp = z.iso.datetime({ precision: 3 });
export const IsoDate = z.iso.date();

export const Title = text(1, 200);
export const Name = text(1, 200);
export const DocType = text(1, 100);
export const Description = text(0, 4000);
/** `note`, `notes`, `comment`, `reason`. */
export const ShortText = text(0, 1000);

/** Query string values arrive as strings: coerce `limit` and bound it. */
export const Limit = z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)));
export const Cursor = z.optional(text(1, 2048));

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export const OrgId = Id;
export const Role = z.enum(['buyer', 'factory', 'auditor', 'admin']);
