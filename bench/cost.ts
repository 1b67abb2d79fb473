/**
 * Cost per million API calls in AWS, per region, from the units this run measured and the
 * public list prices below. Every Lambda invocation is priced: the API function's and the
 * archiver's (one per stream batch). Fixed monthly charges (WAF web ACL and rules, KMS keys,
 * the manifest signing) do not grow with calls and are listed apart.
 */

export interface RegionPrices {
  /** Lambda arm64, per GB-second of duration (first tier) and per million requests. */
  readonly lambdaArmPerGbSecond: number;
  readonly lambdaPerMillionRequests: number;
  /** API Gateway REST API, per million requests (first 333 million a month). */
  readonly apiGatewayRestPerMillion: number;
  /** DynamoDB on-demand (Standard table class), per million request units. */
  readonly dynamoWriteRequestUnitPerMillion: number;
  readonly dynamoReadRequestUnitPerMillion: number;
  /** AWS WAF: per million requests inspected; per web ACL and per rule a month. */
  readonly wafPerMillionRequests: number;
  readonly wafPerWebAclMonth: number;
  readonly wafPerRuleMonth: number;
  /** KMS: symmetric requests per 10,000 (GenerateDataKey, Decrypt); asymmetric (Sign) per 10,000; per key a month. */
  readonly kmsPer10kRequests: number;
  readonly kmsAsymmetricPer10kRequests: number;
  readonly kmsPerKeyMonth: number;
  /** CloudWatch Logs ingestion (standard class) per GB, for Lambda, API Gateway access logs and WAF logs. */
  readonly logsIngestPerGb: number;
  /** S3 Standard PUT requests per 1,000. */
  readonly s3PutPer1k: number;
  /** SQS standard queue, per million requests; SES, per 1,000 e-mails; data transfer out to the internet, per GB (first tier). */
  readonly sqsStandardPerMillionRequests: number;
  readonly sesPerThousandEmails: number;
  readonly dataTransferOutPerGb: number;
}

/** The prices these services list alike in both regions. */
const LISTED_ALIKE = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  apiGatewayRestPerMillion: 3.5,
  wafPerMillionRequests: 0.6,
  wafPerWebAclMonth: 5,
  wafPerRuleMonth: 1,
  kmsPer10kRequests: 0.03,
  kmsAsymmetricPer10kRequests: 0.15,
  kmsPerKeyMonth: 1,
  s3PutPer1k: 0.005,
  sqsStandardPerMillionRequests: 0.4,
  sesPerThousandEmails: 0.1,
  dataTransferOutPerGb: 0.09,
} as const;

/**
 * List prices, USD. Source: the AWS pricing pages of each service
 * (aws.amazon.com/{lambda,api-gateway,dynamodb,waf,kms,cloudwatch,s3}/pricing/), as published
 * in 2025-11; DynamoDB on-demand after the 2024-11-01 reduction (half the earlier
 * $1.25 / $0.25 per million in us-east-1 and $1.4135 / $0.283 in eu-west-1). Not re-read by
 * this run: update `date` with the figures when the pages change.
 */
export const PRICES = {
  source: 'AWS service pricing pages (Lambda, API Gateway, DynamoDB, WAF, KMS, CloudWatch, S3), list prices in USD',
  date: '2025-11',
  regions: {
    'us-east-1': { ...LISTED_ALIKE, dynamoWriteRequestUnitPerMillion: 0.625, dynamoReadRequestUnitPerMillion: 0.125, logsIngestPerGb: 0.5 },
    'eu-west-1': { ...LISTED_ALIKE, dynamoWriteRequestUnitPerMillion: 0.70675, dynamoReadRequestUnitPerMillion: 0.1415, logsIngestPerGb: 0.57 },
  } satisfies Record<string, RegionPrices>,
} as const;

export type Region = keyof typeof PRICES.regions;
export const REGIONS = Object.keys(PRICES.regions) as Region[];

/**
 * Log bytes each API call ingests into CloudWatch Logs, estimated from the configuration
 * (not measured): the API Gateway access log line of lib/api.ts filled with typical values,
 * and the WAF log record of one request (headers, rule matches; AWS documents 1-2 KB). The
 * functions log JSON at INFO with system logs at WARN: a served call writes no line (only
 * denials do), and Lambda's START/END/REPORT lines are off.
 */
export const LOG_BYTES_PER_CALL = { apiGatewayAccess: 450, waf: 1_500, lambda: 0 } as const;

export interface CostInputs {
  /** Billed duration of one API invocation in ms (an upper bound: the c=1 end-to-end p50, network included). */
  readonly apiLambdaMs: number;
  readonly apiMemoryMb: number;
  /** Mean WRU / RRU per API call of the measured mix. */
  readonly writeUnitsPerCall: number;
  readonly readUnitsPerCall: number;
  /** Stream records per API call (its audit event, and the changed item for a write). */
  readonly streamRecordsPerCall: number;
  /** Stream records per archiver invocation, S3 PUTs per invocation (audit and changes objects), mean billed ms per invocation. */
  readonly recordsPerArchiverInvocation: number;
  readonly putsPerArchiverInvocation: number;
  readonly archiverMs: number;
  readonly archiverMemoryMb: number;
}

export interface CostBreakdown {
  readonly 'Lambda (API)': number;
  readonly 'Lambda (archiver)': number;
  readonly 'API Gateway REST': number;
  readonly WAF: number;
  readonly DynamoDB: number;
  readonly 'S3 archive PUTs': number;
  /** Upper bound: one GenerateDataKey per archive PUT, as if S3 bucket keys were off (they are on). */
  readonly KMS: number;
  readonly 'CloudWatch Logs': number;
  readonly total: number;
}

const MILLION = 1_000_000;

function lambdaCost(prices: RegionPrices, invocations: number, ms: number, memoryMb: number): number {
  const billedMs = Math.max(1, Math.ceil(ms));
  return invocations * (billedMs / 1000) * (memoryMb / 1024) * prices.lambdaArmPerGbSecond + (invocations / MILLION) * prices.lambdaPerMillionRequests;
}

/** Dollars per million API calls in one region. */
export function costPerMillion(region: Region, inputs: CostInputs): CostBreakdown {
  const prices: RegionPrices = PRICES.regions[region];
  const archiverInvocations = (MILLION * inputs.streamRecordsPerCall) / Math.max(1, inputs.recordsPerArchiverInvocation);
  const archivePuts = archiverInvocations * inputs.putsPerArchiverInvocation;
  const logBytes = MILLION * (LOG_BYTES_PER_CALL.apiGatewayAccess + LOG_BYTES_PER_CALL.waf + LOG_BYTES_PER_CALL.lambda);
  const parts = {
    'Lambda (API)': lambdaCost(prices, MILLION, inputs.apiLambdaMs, inputs.apiMemoryMb),
    'Lambda (archiver)': lambdaCost(prices, archiverInvocations, inputs.archiverMs, inputs.archiverMemoryMb),
    'API Gateway REST': prices.apiGatewayRestPerMillion,
    WAF: prices.wafPerMillionRequests,
    DynamoDB: inputs.writeUnitsPerCall * prices.dynamoWriteRequestUnitPerMillion + inputs.readUnitsPerCall * prices.dynamoReadRequestUnitPerMillion,
    'S3 archive PUTs': (archivePuts / 1000) * prices.s3PutPer1k,
    KMS: (archivePuts / 10_000) * prices.kmsPer10kRequests,
    'CloudWatch Logs': (logBytes / 1024 ** 3) * prices.logsIngestPerGb,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  const r = (n: number) => +n.toFixed(3);
  return Object.fromEntries([...Object.entries(parts), ['total', total]].map(([k, v]) => [k, r(v as number)])) as unknown as CostBreakdown;
}

/** Charges a month that do not grow with calls: the web ACL and its rules, the KMS keys, the manifest signatures of a 15-minute export. */
export function fixedMonthly(region: Region, setup: { wafRules: number; kmsKeys: number; signaturesPerMonth: number }): number {
  const prices: RegionPrices = PRICES.regions[region];
  return +(
    prices.wafPerWebAclMonth +
    setup.wafRules * prices.wafPerRuleMonth +
    setup.kmsKeys * prices.kmsPerKeyMonth +
    (setup.signaturesPerMonth / 10_000) * prices.kmsAsymmetricPer10kRequests
  ).toFixed(2);
}

/**
 * What one million events cost in AWS, per recipient and per webhook, from the table operations
 * the notifier and the worker make (counted from their code: functions/core/use-cases/notifications.ts)
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

export function notificationCostPerMillion(region: Region, inputs: NotificationCostInputs): Record<'Lambda' | 'DynamoDB' | 'SQS' | 'SES' | 'data transfer' | 'total', number> {
  const prices: RegionPrices = PRICES.regions[region];
  const memoryGb = 0.5;
  const gbSeconds = (ms: number) => (Math.max(1, Math.ceil(ms)) / 1000) * memoryGb;
  const lambda =
    1_000_000 * gbSeconds(inputs.notifierMsPerEvent) * prices.lambdaArmPerGbSecond +
    prices.lambdaPerMillionRequests / inputs.recordsPerInvocation +
    inputs.webhooks * (1_000_000 * gbSeconds(inputs.workerMsPerDelivery) * prices.lambdaArmPerGbSecond + prices.lambdaPerMillionRequests);
  // Per event: the members query and the webhooks query (0.5 RRU each, eventually consistent);
  // per recipient: the inbox put and the mailed mark (1 WRU each); per webhook: the queued check
  // (1 RRU) and mark (1 WRU), then in the worker the webhook read (1 RRU), the log entry and the
  // outcome (1 WRU each).
  const writeUnits = 2 * inputs.recipients + 3 * inputs.webhooks;
  const readUnits = 1 + 2 * inputs.webhooks;
  const dynamodb = writeUnits * prices.dynamoWriteRequestUnitPerMillion + readUnits * prices.dynamoReadRequestUnitPerMillion;
  // One send per delivery; Lambda receives and deletes in batches of up to 10.
  const sqs = inputs.webhooks * 1.2 * prices.sqsStandardPerMillionRequests;
  const ses = inputs.recipients * 1000 * prices.sesPerThousandEmails;
  // About 1 KB per webhook POST leaves AWS: 1 GB per million.
  const dataTransfer = inputs.webhooks * prices.dataTransferOutPerGb;
  const r = (n: number) => +n.toFixed(2);
  return { Lambda: r(lambda), DynamoDB: r(dynamodb), SQS: r(sqs), SES: r(ses), 'data transfer': r(dataTransfer), total: r(lambda + dynamodb + sqs + ses + dataTransfer) };
}
