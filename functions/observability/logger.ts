/**
 * The one logger of every function and of the local runtime: Powertools' JSON lines, one
 * object per line, the same locally as in Lambda. Lines about one invocation come from a
 * child logger carrying its correlation id and route, so no line goes without them.
 * A child per invocation, not `appendKeys` on a shared logger: the local runtime serves
 * calls concurrently in one process, and appended keys would leak from one call to another.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export const SERVICE_NAME = 'evidence-requests';

/** Level from AWS_LAMBDA_LOG_LEVEL (Lambda's log-level control) or POWERTOOLS_LOG_LEVEL, INFO by default. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** What every line about one invocation says. */
export interface InvocationKeys {
  /** The API's X-Request-Id (API Gateway's request id), or the Lambda request id of a consumer. */
  readonly correlationId?: string;
  /** `GET /v1/requests/{requestId}` for an API call, the consumer's name otherwise. */
  readonly route: string;
}

export function invocationLogger(keys: InvocationKeys): Logger {
  return logger.createChild({ persistentKeys: { ...keys } });
}

const apiCallLoggers = new WeakMap<APIGatewayProxyEvent, Logger>();

/** The logger of one API call, made on its first line and kept for the rest of the call. */
export function apiCallLogger(event: APIGatewayProxyEvent, correlationId: string): Logger {
  let child = apiCallLoggers.get(event);
  if (!child) {
    child = invocationLogger({ correlationId, route: `${event.httpMethod} ${event.resource}` });
    apiCallLoggers.set(event, child);
  }
  return child;
}
