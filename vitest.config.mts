import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DynamoDB Local and the local S3 store check only the shape of credentials; these keep the SDK from looking for real ones.
    env: {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // Lambda runs a Node the SDK supports; the machine's Node 20 only triggers a notice.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The service logger writes to stdout itself, past `silent` below: quiet unless a test
      // turns it up (test/handlers/logs.test.ts) or you run with POWERTOOLS_LOG_LEVEL=INFO.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    },
    // Logs of passing tests (denial lines, expected errors) stay quiet; a failing test shows its own.
    silent: 'passed-only',
  },
});
