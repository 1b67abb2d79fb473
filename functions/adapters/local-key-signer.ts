/** Manifest signing with a P-256 key kept in a local file (local runtime only; AWS uses KMS). */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ManifestKeyResolver, ManifestSigner } from '../archive/ports.js';

export const LOCAL_SIGNING_KEY_ID = 'local-manifest-key';

export class LocalKeyManifestSigner implements ManifestSigner, ManifestKeyResolver {
  readonly algorithm = 'ECDSA_SHA_256';
  readonly keyId = LOCAL_SIGNING_KEY_ID;
  private readonly privateKey: KeyObject;

  /** Loads the key at `path`, generating it (mode 0600) on first use. */
  constructor(path: string) {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privateKey = createPrivateKey(readFileSync(path));
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return sign('sha256', message, { key: this.privateKey, dsaEncoding: 'der' });
  }

  async publicKeyPem(keyId: string): Promise<string> {
    if (keyId !== this.keyId) throw new Error(`Unknown local signing key ${keyId}`);
    return createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }
}
