/** The demo users as use-case principals, for unit tests of the use cases on the in-memory ports. */
import type { Principal } from '../../functions/core/principal.js';

export const PEOPLE = {
  buyer1: { userId: 'u-b1', username: 'buyer1', role: 'buyer', orgId: 'B001' },
  buyer2: { userId: 'u-b2', username: 'buyer2', role: 'buyer', orgId: 'B002' },
  factory1: { userId: 'u-f1', username: 'factory1', role: 'factory', orgId: 'F001' },
  factory2: { userId: 'u-f2', username: 'factory2', role: 'factory', orgId: 'F002' },
  auditor1: { userId: 'u-a1', username: 'auditor1', role: 'auditor' },
  admin1: { userId: 'u-ad', username: 'admin1', role: 'admin' },
} as const satisfies Record<string, Principal>;
export type Person = keyof typeof PEOPLE;
