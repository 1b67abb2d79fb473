/**
 * Cost per million API calls in AWS, from the units this run measured and public prices.
 * Prices: eu-west-1, as listed on the AWS pricing pages in late 2025 (checked 2025-11).
 */
export const PRICES = {
  source: 'AWS public pricing pages, eu-west-1, late 2025',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  apiGatewayRestPerMillion: 3.5,
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoReadRequestUnitPerMillion: 0.125,
  s3PutPerThousand: 0.005,
  sqsStandardPerMillionRequests: 0.4,
  sesPerThousandEmails: 0.1,
  dataTransferOutPerGb: 0.09,
} as const;

export interface CostInputs {
  /** Mean billed duration of an API invocation in ms (warm, measured in process with I/O). */
  readonly lambdaMs: number;
  readonly memoryMb: number;
  /** Mean WRU / RRU per API call of the measured mix. */
  readonly writeUnitsPerCall: number;
  readonly readUnitsPerCall: number;
  /** Audit events per API call (one) over events per S3 PUT. */
  readonly eventsPerPut: number;
}

export interface CostBreakdown {
  readonly lambda: number;
  readonly apiGateway: number;
  readonly dynamodb: number;
  readonly s3Archive: number;
  readonly total: number;
}

/** Dollars per million API calls. */
export function costPerMillion(inputs: CostInputs): CostBreakdown {
  const million = 1_000_000;
  const billedMs = Math.max(1, Math.ceil(inputs.lambdaMs));
  const lambda = million * (billedMs / 1000) * (inputs.memoryMb / 1024) * PRICES.lambdaArmPerGbSecond + PRICES.lambdaPerMillionRequests;
  const apiGateway = PRICES.apiGatewayRestPerMillion;
  const dynamodb = inputs.writeUnitsPerCall * PRICES.dynamoWriteRequestUnitPerMillion + inputs.readUnitsPerCall * PRICES.dynamoReadRequestUnitPerMillion;
  const s3Archive = (million / Math.max(1, inputs.eventsPerPut) / 1000) * PRICES.s3PutPerThousand;
  const total = lambda + apiGateway + dynamodb + s3Archive;
  const r = (n: number) => +n.toFixed(3);
  return { lambda: r(lambda), apiGateway: r(apiGateway), dynamodb: r(dynamodb), s3Archive: r(s3Archive), total: r(total) };
}

/**
 * What one event costs in AWS, per recipient and per webhook, from the table operations the
 * notifier and the worker make (counted from their code: functions/core/use-cases/notifications.ts)
 * and the handler time measured in process.
 */
export interface NotificationCostInputs {
  readonly notifierMsPerEvent: number;
  readonly workerMsPerDelivery: number;
  /** Members of the receiving organisation (each: an inbox put, an e-mail and its mark). */
  readonly recipients: number;
  /** Subscribed webhooks (each: a queue marker, a queued message, one successful attempt). */
  readonly webhooks: number;
  /** Records per notifier invocation (the event source's batch). */
  readonly recordsPerInvocation: number;
}

export function notificationCostPerMillion(inputs: NotificationCostInputs): Record<'lambda' | 'dynamodb' | 'sqs' | 'ses' | 'dataTransfer' | 'total', number> {
  const memoryGb = 0.5;
  const gbSeconds = (ms: number) => (Math.max(1, Math.ceil(ms)) / 1000) * memoryGb;
  const lambda =
    1_000_000 * gbSeconds(inputs.notifierMsPerEvent) * PRICES.lambdaArmPerGbSecond +
    PRICES.lambdaPerMillionRequests / inputs.recordsPerInvocation +
    inputs.webhooks * (1_000_000 * gbSeconds(inputs.workerMsPerDelivery) * PRICES.lambdaArmPerGbSecond + PRICES.lambdaPerMillionRequests);
  // Per event: the members query and the webhooks query (0.5 RRU each, eventually consistent);
  // per recipient: the inbox put and the mailed mark (1 WRU each); per webhook: the queued check
  // (1 RRU) and mark (1 WRU), then in the worker the webhook read (1 RRU), the log entry and the
  // outcome (1 WRU each).
  const writeUnits = 2 * inputs.recipients + 3 * inputs.webhooks;
  const readUnits = 1 + 2 * inputs.webhooks;
  const dynamodb = writeUnits * PRICES.dynamoWriteRequestUnitPerMillion + readUnits * PRICES.dynamoReadRequestUnitPerMillion;
  // One send per delivery; Lambda receives and deletes in batches of up to 10.
  const sqs = inputs.webhooks * 1.2 * PRICES.sqsStandardPerMillionRequests;
  const ses = inputs.recipients * 1000 * PRICES.sesPerThousandEmails;
  // About 1 KB per webhook POST leaves AWS.
  const dataTransfer = inputs.webhooks * PRICES.dataTransferOutPerGb;
  const r = (n: number) => +n.toFixed(2);
  return { lambda: r(lambda), dynamodb: r(dynamodb), sqs: r(sqs), ses: r(ses), dataTransfer: r(dataTransfer), total: r(lambda + dynamodb + sqs + ses + dataTransfer) };
}
