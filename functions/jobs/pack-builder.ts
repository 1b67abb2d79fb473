/**
 * The pack builder: the SQS consumer of pack jobs (one pack per message, batch size 1). A
 * message whose build threw is reported as a batch item failure, so SQS redelivers it after
 * its visibility timeout; on the last receive the pack is marked FAILED instead, and the
 * message then moves to the dead-letter queue, whose depth is alarmed. Locally the runtime's
 * in-process queue feeds it the same SQS event shape.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { PACK_JOB_MAX_RECEIVES } from '../core/packs.js';
import { buildPack, type PackBuildOutcome, type PackBuilderDeps } from '../core/use-cases/pack-builder.js';
import { invocationLogger } from '../observability/logger.js';


const PackJob = z.object({ packId: z.string().check(z.minLength(1), z.maxLength(100)) });

export interface PackBuilderOptions {
  /** @default PACK_JOB_MAX_RECEIVES */
  readonly maxReceives?: number;
}

export function createHandler(deps: PackBuilderDeps, options: PackBuilderOptions = {}) {
  const maxReceives = options.maxReceives ?? PACK_JOB_MAX_RECEIVES;
  return async function buildPacks(event: SQSEvent): Promise<SQSBatchResponse & { outcomes: PackBuildOutcome[] }> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    const outcomes: PackBuildOutcome[] = [];
    for (const record of event.Records) {
      const log = invocationLogger({ correlationId: record.messageId, route: 'pack-builder' });
      let job: { packId: string };
      try {
        job = PackJob.parse(JSON.parse(record.body));
      } catch (error) {
        // Never buildable: leave it to the retries and the dead-letter queue, where the alarm sees it.
        log.error('not a pack job', { error });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const lastAttempt = Number(record.attributes.ApproximateReceiveCount) >= maxReceives;
      try {
        const outcome = await buildPack(deps, job.packId, record.messageId, { lastAttempt });
        outcomes.push(outcome);
        log.info('pack job done', { packId: job.packId, ...outcome });
      } catch (error) {
        log.error('pack build failed; the job will be retried', { packId: job.packId, error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures, outcomes };
  };
}

