/** Manifest signing with an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256): the private key never leaves KMS. */
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { createPublicKey } from 'node:crypto';
import type { ManifestKeyResolver, ManifestSigner } from '../archive/ports.js';
import { SDK_POLICY } from './sdk-policy.js';

export function createKmsClient(region?: string): KMSClient {
  return new KMSClient({
    ...SDK_POLICY,
    ...(region ? { region } : {}),
  });
}

export class KmsManifestSigner implements ManifestSigner, ManifestKeyResolver {
  readonly algorithm = 'ECDSA_SHA_256';
  constructor(
    private readonly client: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const answer = await this.client.send(
      new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    if (!answer.Signature) throw new Error(`KMS returned no signature for key ${this.keyId}`);
    return answer.Signature;
  }

  async publicKeyPem(keyId: string): Promise<string> {
    const answer = await this.client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!answer.PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
    return createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
  }
}
