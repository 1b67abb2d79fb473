/** The pure part of packs: the manifest's bytes, SHA256SUMS, entry paths, tokens, and offline verification of every tamper case. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ENTRY,
  entryPath,
  isTokenShaped,
  MANIFEST_FORMAT,
  manifestBytes,
  newShareToken,
  packZipKey,
  sha256Hex,
  sha256Sums,
  tokenHash,
  verifyPackEntries,
  type PackManifest,
  type ZipEntryFacts,
} from '../../functions/core/packs.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const files = [Buffer.from('%PDF-1.7 first\n'), Buffer.from('second file, a CSV\n1,2\n'), Buffer.from('third')];
const items = files.map((bytes, i) => {
  const fileName = `doc-${i}.pdf`;
  const path = entryPath({ evidenceId: `evd_${i}`, version: 1, fileName });
  return { evidenceId: `evd_${i}`, version: 1, name: `Doc ${i}`, docType: 'certificate', file: { path, fileName, contentType: 'application/pdf', size: bytes.length, sha256: sha256Hex(bytes) } };
});

function manifest(overrides: Partial<PackManifest> = {}): PackManifest {
  return {
    format: MANIFEST_FORMAT,
    pack: { packId: 'pck_1', title: 'Audit 2026', ownerOrgId: 'F001', sharedWithOrgId: 'B001', createdAt: '2026-12-01T10:00:00.000Z', createdBy: 'u1' },
    items: [...items, { evidenceId: 'evd_nofile', version: 2, name: 'Note', docType: 'memo' }],
    signature: { algorithm: 'ECDSA_SHA_256', keyId: 'k1', publicKey: ENTRY.publicKey },
    ...overrides,
  };
}

const fact = (path: string, bytes: Buffer, keep = false): ZipEntryFacts => ({ path, size: bytes.length, sha256: sha256Hex(bytes), ...(keep && { bytes }) });

/** The entries of a well-made pack, with `edit` applied to the parts before they are measured. */
function pack(edit: { manifest?: (m: Buffer) => Buffer; files?: (f: { path: string; bytes: Buffer }[]) => { path: string; bytes: Buffer }[]; sums?: (s: Buffer) => Buffer } = {}): ZipEntryFacts[] {
  const signed = manifestBytes(manifest());
  const signature = sign('sha256', signed, { key: keys.privateKey, dsaEncoding: 'der' });
  const json = edit.manifest ? edit.manifest(signed) : signed;
  const sums = sha256Sums([...items.map((i) => ({ path: i.file.path, sha256: i.file.sha256 })), { path: ENTRY.manifest, sha256: sha256Hex(signed) }]);
  const contents = (edit.files ?? ((f) => f))(items.map((item, i) => ({ path: item.file.path, bytes: files[i]! })));
  return [
    ...contents.map((f) => fact(f.path, f.bytes)),
    fact(ENTRY.manifest, json, true),
    fact(ENTRY.sums, edit.sums ? edit.sums(sums) : sums, true),
    fact(ENTRY.signature, signature, true),
    fact(ENTRY.publicKey, Buffer.from(publicPem), true),
  ];
}

describe('the manifest', () => {
  it('is deterministic bytes of the record: the same pack gives the same manifest', () => {
    expect(manifestBytes(manifest()).equals(manifestBytes(manifest()))).toBe(true);
    expect(manifestBytes(manifest()).toString()).toMatch(/^\{\n {2}"format": "evidence-pack\/1"/);
  });

  it('SHA256SUMS is sha256sum format, sorted by path', () => {
    const sums = sha256Sums([{ path: 'files/b', sha256: 'b'.repeat(64) }, { path: 'files/a', sha256: 'a'.repeat(64) }]).toString();
    expect(sums).toBe(`${'a'.repeat(64)}  files/a\n${'b'.repeat(64)}  files/b\n`);
  });

  it('keys and paths derive from ids alone', () => {
    expect(packZipKey('pck_1')).toBe('packs/pck_1.zip');
    expect(entryPath({ evidenceId: 'evd_1', version: 3, fileName: 'Audit – final.pdf' })).toBe('files/evd_1/v3/Audit – final.pdf');
  });
});

describe('offline verification', () => {
  it('passes a well-made pack', () => {
    const report = verifyPackEntries(pack());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, packId: 'pck_1', files: 3 });
    expect(report.summary).toMatch(/^VERIFIED pack pck_1: 3 files/);
  });

  it('catches a changed file', () => {
    const report = verifyPackEntries(pack({ files: (f) => f.map((x, i) => (i === 1 ? { ...x, bytes: Buffer.from('second file, a CSV\n1,3\n') } : x)) }));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: items[1]!.file.path })]);
  });

  it('catches an added file', () => {
    const report = verifyPackEntries(pack({ files: (f) => [...f, { path: 'files/extra.pdf', bytes: Buffer.from('x') }] }));
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'extra', path: 'files/extra.pdf' })]);
  });

  it('catches a removed file', () => {
    const report = verifyPackEntries(pack({ files: (f) => f.slice(1) }));
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'missing', path: items[0]!.file.path })]);
  });

  it('catches an edited manifest (its signature no longer matches), even when the file and SHA256SUMS are edited to agree', () => {
    const forged = pack({
      manifest: (m) => Buffer.from(m.toString().replace('"Audit 2026"', '"Audit 2027"')),
    });
    expect(verifyPackEntries(forged).problems.map((p) => p.kind)).toContain('bad-signature');
    const report = verifyPackEntries(pack({ manifest: (m) => Buffer.from(m.toString().replace(items[0]!.file.sha256, sha256Hex(Buffer.from('forged')))), files: (f) => f.map((x, i) => (i === 0 ? { ...x, bytes: Buffer.from('forged') } : x)) }));
    expect(report.problems.map((p) => p.kind)).toContain('bad-signature');
  });

  it('catches an edited SHA256SUMS, a missing control entry, a foreign key and a manifest that is not one', () => {
    expect(verifyPackEntries(pack({ sums: (s) => Buffer.from(s.toString().replace(items[2]!.file.sha256, 'f'.repeat(64))) })).problems).toEqual([expect.objectContaining({ kind: 'sums-mismatch', path: items[2]!.file.path })]);
    expect(verifyPackEntries(pack().filter((e) => e.path !== ENTRY.signature)).problems).toEqual([expect.objectContaining({ kind: 'missing', path: ENTRY.signature })]);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyPackEntries(pack(), other).problems).toEqual([expect.objectContaining({ kind: 'bad-signature', path: ENTRY.publicKey })]);
    expect(verifyPackEntries(pack(), publicPem).ok).toBe(true);
    expect(verifyPackEntries(pack({ manifest: () => Buffer.from('not json') })).problems.map((p) => p.kind)).toContain('bad-manifest');
  });
});

describe('share tokens', () => {
  it('carry 256 random bits, and only their SHA-256 is kept', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newShareToken));
    expect(tokens.size).toBe(1000);
    for (const token of [...tokens].slice(0, 10)) {
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isTokenShaped(token)).toBe(true);
      expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
      expect(tokenHash(token)).not.toContain(token);
    }
    expect(isTokenShaped('../../etc')).toBe(false);
  });
});
