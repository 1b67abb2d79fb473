/**
 * The one timeout and retry policy of every AWS SDK client the functions build: a refused
 * connection gives up after 1 s, a request after 5 s, and each call is tried at most three
 * times (the SDK's standard retry mode: exponential backoff with jitter). An API function's
 * 10 s timeout leaves room for one slow call and its retry.
 */
export const SDK_POLICY = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
} as const;

/** Static credentials, for local endpoints only; in AWS the SDK's default chain finds the role's. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
