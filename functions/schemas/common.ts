/** Building blocks shared by every payload schema. */
import * as z from 'zod/mini';

/** Control characters (C0, DEL) and the bidirectional overrides and isolates (API.md 1.1). */
const NO_CONTROLS = /^[^\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]*$/;
/** The same, but newline and tab allowed: the free-text fields (description, notes, note, comment, reason, text). */
const NO_CONTROLS_BUT_LINES = /^[^\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]*$/;

/** A one-line string: no control or bidirectional-override characters. */
export const text = (min: number, max: number) =>
  z.string().check(z.minLength(min), z.maxLength(max), z.regex(NO_CONTROLS, 'must not contain control or bidirectional-override characters'));
/** Free text: newlines and tabs allowed, other control characters not. */
export const freeText = (min: number, max: number) =>
  z.string().check(z.minLength(min), z.maxLength(max), z.regex(NO_CONTROLS_BUT_LINES, 'must not contain control characters other than newline and tab'));
export const Id = text(1, 100);
/** A date-time as answers carry it: UTC with milliseconds. */
export const Timestamp = z.iso.datetime({ precision: 3 });
/**
 * A date-time as input accepts it: any RFC 3339 form (offsets, with or without fractions, and
 * the lowercase `t` and `z` RFC 3339 allows), normalised to UTC milliseconds.
 */
export const InputTimestamp = z.pipe(
  z.string().check(z.overwrite((value) => value.toUpperCase()), z.iso.datetime({ offset: true })),
  z.transform((value: string) => new Date(value).toISOString()),
);
export const IsoDate = z.iso.date();

export const Title = text(1, 200);
export const Name = text(1, 200);
export const DocType = text(1, 100);
export const Description = freeText(0, 4000);
/** `note`, `notes`, `comment`, `reason`. */
export const ShortText = freeText(0, 1000);

/** An integer in a query string: plain decimal digits only (no sign, spaces, hex or exponent), then bounded. */
export const queryInteger = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^(0|[1-9][0-9]*)$/, 'must be plain decimal digits')), z.transform((digits: string) => Number(digits))),
    z.int().check(z.minimum(min), z.maximum(max)),
  );
export const Limit = z.optional(queryInteger(1, 100));
/** A sealed cursor (middleware/cursors.ts) as a client got it. */
export const Cursor = z.optional(text(1, 4096));

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export const OrgId = Id;
export const Role = z.enum(['buyer', 'factory', 'auditor', 'admin']);
