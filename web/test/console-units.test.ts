/** The console's pure pieces: PKCE, overdue ordering, CSV export, which versions can fulfil. */
import { describe, expect, it } from 'vitest';
import { codeChallenge } from '../src/auth/session';
import type { AuditEvent, EvidenceVersion, Request } from '../src/api/client';
import { isOverdue, overdueFirst } from '../src/screens/request-list';
import { toCsv } from '../src/screens/audit-search';
import { usable } from '../src/screens/fulfil-form';

const request = (id: string, status: Request['status'], dueDate?: string): Request => ({
  requestId: id,
  buyerOrgId: 'B001',
  factoryId: 'F001',
  title: id,
  status,
  items: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'u',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...(dueDate && { dueDate }),
});

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('overdue first', () => {
  it('puts open requests past their due date first, longest overdue on top, then the rest in API order', () => {
    const list = [request('new', 'OPEN', '2026-12-31'), request('done', 'COMPLETED', '2026-01-01'), request('late', 'IN_PROGRESS', '2026-02-01'), request('later', 'OPEN', '2026-01-15'), request('none', 'OPEN')];
    expect(overdueFirst(list, '2026-06-01').map((r) => r.requestId)).toEqual(['later', 'late', 'new', 'done', 'none']);
    expect(isOverdue(request('x', 'CANCELLED', '2026-01-01'), '2026-06-01')).toBe(false);
    expect(isOverdue(request('x', 'OPEN', '2026-06-01'), '2026-06-01')).toBe(false);
  });
});

describe('audit CSV', () => {
  it('quotes commas, quotes and newlines, and defuses spreadsheet formulas', () => {
    const event = {
      eventId: 'e1',
      occurredAt: '2026-01-01T00:00:00.000Z',
      action: 'request.create',
      outcome: 'DENIED',
      actor: { userId: 'u1', role: 'buyer', orgId: 'B001' },
      resource: { type: 'request', id: 'r,1' },
      statusCode: 403,
      reason: '=HYPERLINK("x")\nsecond line',
      correlationId: 'c1',
    } satisfies AuditEvent;
    expect(toCsv([event])).toBe(
      'occurredAt,action,outcome,actorUserId,actorRole,actorOrgId,resourceType,resourceId,statusCode,reason,correlationId,sourceIp,eventId\r\n' +
        '2026-01-01T00:00:00.000Z,request.create,DENIED,u1,buyer,B001,request,"r,1",403,"\'=HYPERLINK(""x"")\nsecond line",c1,,e1\r\n',
    );
  });
});

describe('versions that can fulfil', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const version = (extra: Partial<EvidenceVersion>): EvidenceVersion => ({ version: 1, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'u', ...extra });
  it('are unexpired, with no file or a verified one', () => {
    expect(usable(version({}), now)).toBe(true);
    expect(usable(version({ expiresAt: '2026-05-31T23:59:59.000Z' }), now)).toBe(false);
    const file = { fileName: 'a.pdf', contentType: 'application/pdf', size: 1, sha256: 'a'.repeat(64) } as const;
    expect(usable(version({ file: { ...file, status: 'AVAILABLE' } }), now)).toBe(true);
    expect(usable(version({ file: { ...file, status: 'PENDING_UPLOAD' } }), now)).toBe(false);
    expect(usable(version({ file: { ...file, status: 'REJECTED' } }), now)).toBe(false);
  });
});

