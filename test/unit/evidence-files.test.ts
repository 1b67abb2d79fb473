/** The pure side of evidence files: storage keys, file-name rules, verdicts, Content-Disposition. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachmentDisposition, evidenceFileKey, judgeObject, newFileId, parseEvidenceFileKey } from '../../functions/core/evidence-files.js';
import { newVersionFile, fileKeyOf } from '../../functions/core/use-cases/evidence-files.js';
import { FileInfo, FileName } from '../../functions/schemas/evidence.js';
import type { StoredEvidence } from '../../functions/core/ports.js';

const HOSTILE = ['../', '../../../F002/evd_x/v2/cert.pdf', 'a/b.pdf', 'a\\b.pdf', 'cr\rlf\n.pdf', 'nul\u0000.pdf', '\u202Efdp.exe', '\u2066iso\u2069.pdf', 'del\u007f.pdf', '.', '..', '', 'x'.repeat(256), 'lone \udc00.pdf'];
const SHA = 'a'.repeat(64);
/** Node's own check (String.prototype.isWellFormed, ES2024), independent of the schema's regex. */
const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
const stored = (factoryId: string, evidenceId: string): StoredEvidence => ({
  evidence: { evidenceId, factoryId, name: 'n', docType: 'd', latestVersion: 1, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' },
  versions: [],
  shares: [],
});
const EVIDENCE_ID = 'evd_01KBC0Z3D1A2B3C4D5E6F7G8H9';
const KEY = new RegExp(`^evidence/F001/${EVIDENCE_ID}/v3/fil_[a-z2-7]{26}$`);

/** The key the create and add-version flows give a file, from the same functions they call. */
function keyFor(fileName: string): string {
  const file = newVersionFile({ fileName, contentType: 'application/pdf', size: 10, sha256: SHA });
  return fileKeyOf(stored('F001', EVIDENCE_ID), { version: 3, createdAt: '2026-12-01T00:00:00.000Z', createdBy: 'u', file });
}

describe('storage keys', () => {
  it('are evidence/<factoryId>/<evidenceId>/v<version>/<random id>, and parse back', () => {
    const key = evidenceFileKey({ factoryId: 'F001', evidenceId: EVIDENCE_ID, version: 3, fileId: 'fil_abc' });
    expect(key).toBe(`evidence/F001/${EVIDENCE_ID}/v3/fil_abc`);
    expect(parseEvidenceFileKey(key)).toEqual({ factoryId: 'F001', evidenceId: EVIDENCE_ID, version: 3, fileId: 'fil_abc' });
  });

  it('carry 128 random bits per file', () => {
    const ids = new Set(Array.from({ length: 1000 }, newFileId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^fil_[a-z2-7]{26}$/);
  });

  it('refuse a part that is not a plain id, instead of storing it', () => {
    expect(() => evidenceFileKey({ factoryId: '../F002', evidenceId: EVIDENCE_ID, version: 1, fileId: 'fil_a' })).toThrow(/factoryId/);
    expect(() => evidenceFileKey({ factoryId: 'F001', evidenceId: 'evd/..', version: 1, fileId: 'fil_a' })).toThrow(/evidenceId/);
    expect(() => evidenceFileKey({ factoryId: 'F001', evidenceId: EVIDENCE_ID, version: 0, fileId: 'fil_a' })).toThrow(/version/);
  });

  it('are never moved by a file name: every hostile name the schema accepts or not, and any generated one', () => {
    for (const name of HOSTILE) {
      expect(keyFor(name), JSON.stringify(name)).toMatch(KEY);
      expect(FileName.safeParse(name).success, JSON.stringify(name)).toBe(false);
    }
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...HOSTILE).chain((h) => fc.string().map((s) => h + s))), (name) => {
        const key = keyFor(name);
        expect(key).toMatch(KEY);
        expect(parseEvidenceFileKey(key)?.evidenceId).toBe(EVIDENCE_ID);
        if (name.length >= 3) expect(key.includes(name)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('a name the schema accepts is 1-255 code points with none of / \\ control or bidi characters, not . or ..', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 0, maxLength: 300 }), (name) => {
        const ok = FileName.safeParse(name).success;
        const points = [...name];
        const expected =
          points.length >= 1 && points.length <= 255 && name !== '.' && name !== '..' && !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069/\\]/.test(name) && wellFormed(name);
        expect(ok).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(FileName.safeParse('Prüfbericht «2026» 証明書.pdf').success).toBe(true);
  });

  it('content types come from the allowlist only', () => {
    const file = { fileName: 'a.pdf', size: 1, sha256: SHA };
    for (const ok of ['application/pdf', 'image/png', 'image/jpeg', 'text/csv', 'text/plain', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']) {
      expect(FileInfo.safeParse({ ...file, contentType: ok }).success, ok).toBe(true);
    }
    for (const bad of ['text/html', 'application/pdf; charset=x', 'text/html\r\nX-Injected: 1', 'APPLICATION/PDF', 'image/svg+xml']) {
      expect(FileInfo.safeParse({ ...file, contentType: bad }).success, bad).toBe(false);
    }
  });
});

describe('verdicts', () => {
  it('AVAILABLE only for exactly the declared size and SHA-256', () => {
    expect(judgeObject({ size: 5, sha256: SHA }, { size: 5, sha256: SHA })).toEqual({ status: 'AVAILABLE' });
    expect(judgeObject({ size: 5, sha256: SHA }, { size: 6, sha256: SHA })).toEqual({ status: 'REJECTED', reason: 'size-mismatch' });
    expect(judgeObject({ size: 5, sha256: SHA }, { size: 5, sha256: 'b'.repeat(64) })).toEqual({ status: 'REJECTED', reason: 'sha256-mismatch' });
  });
});

/** Decodes `filename*=UTF-8''...` as RFC 5987 says a client does. */
const extended = (header: string) => decodeURIComponent(/filename\*=UTF-8''([^;]*)$/.exec(header)![1]!);
const fallback = (header: string) => /filename="([^"]*)"/.exec(header)![1]!;

describe('Content-Disposition (RFC 6266 / 5987)', () => {
  it('names the attachment in UTF-8 with an ASCII fallback', () => {
    expect(attachmentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(attachmentDisposition('Prüf "bericht" 100%.pdf')).toBe(`attachment; filename="Pruf _bericht_ 100_.pdf"; filename*=UTF-8''Pr%C3%BCf%20%22bericht%22%20100%25.pdf`);
    expect(attachmentDisposition('証明書.pdf')).toBe(`attachment; filename="___.pdf"; filename*=UTF-8''%E8%A8%BC%E6%98%8E%E6%9B%B8.pdf`);
  });

  it('round-trips every valid file name, and its header is one line of printable ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 255 }).filter((n) => FileName.safeParse(n).success), (name) => {
        const header = attachmentDisposition(name);
        expect(header).toMatch(/^[\x20-\x7e]+$/);
        expect(extended(header)).toBe(name);
        expect(fallback(header)).not.toMatch(/["\\%]/);
        expect(header.startsWith('attachment; filename="')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
