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
