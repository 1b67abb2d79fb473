/** Presigned addresses without a store, for tests and benches that never follow them. */
import type { EvidenceFileUrls } from '../../functions/core/ports.js';

const inFiveMinutes = () => new Date(Date.now() + 300_000);

export const memoryFileUrls: EvidenceFileUrls = {
  upload: async (key) => ({ url: `https://uploads.example.test/${key}`, expiresAt: inFiveMinutes() }),
  download: async (key) => ({ url: `https://downloads.example.test/${key}`, expiresAt: inFiveMinutes() }),
};
