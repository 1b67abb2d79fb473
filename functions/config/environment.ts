/**
 * The names of every environment variable a function reads. The CDK function construct and
 * the local runtime set them; configuration.ts parses them, and nothing else reads
 * process.env.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  archiveBucket: 'ARCHIVE_BUCKET',
  evidenceBucket: 'EVIDENCE_BUCKET',
  userPoolId: 'USER_POOL_ID',
  /** Comma-separated app client ids whose access tokens the API accepts. */
  clientIds: 'CLIENT_IDS',
  /** Overrides the Cognito JWKS address (local runtime only). */
  jwksUri: 'JWKS_URI',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  s3Endpoint: 'S3_ENDPOINT',
  auditTtlDays: 'AUDIT_TTL_DAYS',
  manifestSigningKeyId: 'MANIFEST_SIGNING_KEY_ID',
  /** The Secrets Manager secret keying the API's sealed cursors (its ARN; the key itself is never in the environment). */
  cursorKeySecretArn: 'CURSOR_KEY_SECRET_ARN',
  region: 'AWS_REGION',
  /** The table's ARN (native exports, PITR restores of the backup drill). */
  tableArn: 'TABLE_ARN',
  /** Customer-managed key of the table, its exports and its drill restores. */
  tableKeyArn: 'TABLE_KEY_ARN',
  /** Bucket receiving the scheduled native table exports. */
  tableExportBucket: 'TABLE_EXPORT_BUCKET',
  /** The web console's base URL of the stage: notifications link into it. */
  consoleBaseUrl: 'CONSOLE_BASE_URL',
  /** The SQS queue of webhook deliveries. */
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  /** The SES identity (address) notifications are sent from, and the configuration set they go through. */
  mailFrom: 'MAIL_FROM',
  mailConfigurationSet: 'MAIL_CONFIGURATION_SET',
  /** Bucket holding pack ZIPs (KMS, 30-day lifecycle). */
  packsBucket: 'PACKS_BUCKET',
  /** SQS queue of pack builds. */
  packQueueUrl: 'PACK_QUEUE_URL',
} as const;

/** Audit archive settings (archiver, scheduled export, local archive runtime). */
export const ARCHIVE_ENV = {
  /** Seconds of archive lag the export's reconciliation allows before a window is compared. */
  exportSettleSeconds: 'ARCHIVE_EXPORT_SETTLE_SECONDS',
  /** Days back the export looks for objects that arrived late. */
  exportLookbackDays: 'ARCHIVE_EXPORT_LOOKBACK_DAYS',
  /** Athena workgroup and Glue database for `audit:query --athena`. */
  athenaWorkgroup: 'ATHENA_WORKGROUP',
  glueDatabase: 'GLUE_DATABASE',
} as const;

/**
 * API Gateway stage variables the handlers read from the proxy event (the API's own settings,
 * set on the stage by lib/api.ts; absent locally, where the console is same-origin).
 */
export const STAGE_VARIABLES = {
  /** Comma-separated browser origins whose calls get CORS headers (the web console's, the stage's allowedOrigins). */
  allowedOrigins: 'allowedOrigins',
} as const;
