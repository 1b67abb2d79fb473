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
