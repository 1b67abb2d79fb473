/** Presigned addresses without a store, for tests and benches that never follow them. */
import type { EvidenceFileUrls, PackFileUrls, PackJobs } from '../../functions/core/ports.js';

const inFiveMinutes = () => new Date(Date.now() + 300_000);

export const memoryFileUrls: EvidenceFileUrls = {
  upload: async (key) => ({ url: `https://uploads.example.test/${key}`, expiresAt: inFiveMinutes() }),
  download: async (key) => ({ url: `https://downloads.example.test/${key}`, expiresAt: inFiveMinutes() }),
};

export const memoryPackFileUrls: PackFileUrls = {
  download: async (key, _fileName, ttlSeconds) => ({ url: `https://packs.example.test/${key}`, expiresAt: new Date(Date.now() + ttlSeconds * 1000) }),
};

/** A pack queue that only records what was queued (tests that build packs pass the local queue). */
export function recordingPackJobs(): PackJobs & { readonly queued: string[] } {
  const queued: string[] = [];
  return { queued, enqueue: async (job) => void queued.push(job.packId) };
}
