/**
 * The file verifier: invoked by EventBridge for every object created in the evidence bucket
 * (and for every GuardDuty Malware Protection scan result of one), it marks the version's
 * file AVAILABLE or REJECTED (see verifyStoredObject). Errors are thrown: Lambda retries the
 * asynchronous invocation, then sends the event to the failure queue, whose depth is alarmed.
 * Locally the runtime feeds it the local S3 store's events in the same EventBridge shape.
 */
import * as z from 'zod/mini';
import { MALWARE_SCAN_TAG } from '../core/evidence-files.js';
import { rejectInfectedObject, verifyStoredObject, type VerifierDeps, type VerifierOutcome } from '../core/use-cases/evidence-files.js';
import { invocationLogger } from '../observability/logger.js';

/** EventBridge "Object Created" from S3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html). */
const ObjectCreatedEvent = z.object({
  id: z.string(),
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string(), size: z.optional(z.number()) }) }),
});

/** EventBridge "GuardDuty Malware Protection Object Scan Result" (https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html). */
const ScanResultEvent = z.object({
  id: z.string(),
  source: z.literal('aws.guardduty'),
  'detail-type': z.literal('GuardDuty Malware Protection Object Scan Result'),
  detail: z.object({
    s3ObjectDetails: z.object({ bucketName: z.string(), objectKey: z.string() }),
    scanResultDetails: z.object({ scanResultStatus: z.string() }),
  }),
});

export const FileVerifierEvent = z.union([ObjectCreatedEvent, ScanResultEvent]);
export type FileVerifierEvent = z.infer<typeof FileVerifierEvent>;

export interface FileVerifierResult {
  readonly key: string;
  readonly result: VerifierOutcome | { readonly outcome: 'ignored'; readonly why: string };
}

export type FileVerifierDeps = VerifierDeps & { readonly bucket: string };

export function createHandler(deps: FileVerifierDeps) {
  return async function verifyEvidenceFile(input: unknown): Promise<FileVerifierResult> {
    const parsed = FileVerifierEvent.safeParse(input);
    // Not retryable: fail loudly so the event lands in the failure queue, where the alarm sees it.
    if (!parsed.success) throw new Error(`file verifier: not an S3 Object Created or GuardDuty scan result event: ${parsed.error.message}`);
    const event = parsed.data;
    const { bucket, key } =
      event.source === 'aws.s3'
        ? { bucket: event.detail.bucket.name, key: event.detail.object.key }
        : { bucket: event.detail.s3ObjectDetails.bucketName, key: event.detail.s3ObjectDetails.objectKey };
    let result: FileVerifierResult['result'];
    if (bucket !== deps.bucket) result = { outcome: 'ignored', why: `bucket ${bucket} is not the evidence bucket` };
    else if (event.source === 'aws.s3') result = await verifyStoredObject(deps, key, event.id);
    else if (event.detail.scanResultDetails.scanResultStatus === MALWARE_SCAN_TAG.threatsFound) result = await rejectInfectedObject(deps, key, event.id);
    else result = { outcome: 'ignored', why: `scan result ${event.detail.scanResultDetails.scanResultStatus}` };
    invocationLogger({ route: 'file-verifier', correlationId: event.id }).info('file verified', { key, ...result });
    return { key, result };
  };
}
