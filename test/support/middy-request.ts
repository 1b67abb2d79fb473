/** A middy request for calling one middleware's before / after / onError directly in a unit test. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from '../../local/api-gateway-adapter.js';
import { beginCall, type ApiRequest } from '../../functions/middleware/state.js';

export function middyRequest(event: APIGatewayProxyEvent, response?: APIGatewayProxyResult, error?: unknown): ApiRequest {
  beginCall(event);
  return { event, context: lambdaContext('unit', 10_000), response, error: error as Error, internal: {} } as ApiRequest;
}
