/** Turns zod issues into field errors that name the field and the rule broken. */
import type * as z from 'zod/mini';
import type { FieldError } from '../core/errors.js';

export type InputPart = 'body' | 'query' | 'path';

function pointer(part: InputPart, path: readonly PropertyKey[]): string {
  if (part === 'body') return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
  return `${part}.${path.map(String).join('.')}`;
}

function unit(origin: string | undefined, count: number | bigint): string {
  if (origin === 'string') return `${count} character${count === 1 ? '' : 's'}`;
  if (origin === 'array') return `${count} item${count === 1 ? '' : 's'}`;
  return String(count);
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'int' ? 'an integer' : `of type ${issue.expected}`}`;
    case 'too_small':
      return `must be at least ${unit(issue.origin, issue.minimum as number)}`;
    case 'too_big':
      return `must be at most ${unit(issue.origin, issue.maximum as number)}`;
    case 'invalid_format':
      return issue.format === 'regex' ? issue.message : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

export function fieldErrors(part: InputPart, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: pointer(part, [...issue.path, key]), message: 'is not a known field' }));
    }
    // A path-less issue on the query or path object itself.
    const path = part === 'body' || issue.path.length > 0 ? pointer(part, issue.path) : part;
    return [{ path, message: describe(issue) }];
  });
}
