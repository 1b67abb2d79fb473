/** The cursor key from a Secrets Manager secret created by the stack: read on first use, then kept for the container's life. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import type { CursorKeySource } from '../middleware/cursors.js';

export function secretCursorKey(client: SecretsManagerClient, secretArn: string): CursorKeySource {
  return async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`Secret ${secretArn} holds no string value`);
    // The secret is random text of the stack's choosing: its SHA-256 is a uniform 32-byte AES key.
    return createHash('sha256').update(SecretString, 'utf8').digest();
  };
}
