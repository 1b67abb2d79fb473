/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`): the unit tests of the
 * domain core and the middleware (they need no DynamoDB Local). A mutant of module-level
 * code (the permission table, say) runs every one of them, so the list holds only the
 * tests of what is mutated. Same environment as vitest.config.mts otherwise.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

export default defineConfig({
  ...base,
  test: { ...base.test, include: [
      'test/unit/access.test.ts',
      'test/unit/permissions.test.ts',
      'test/unit/request-state.test.ts',
      'test/unit/use-cases.test.ts',
      'test/unit/idempotency.test.ts',
      'test/unit/evidence-files.test.ts',
      'test/unit/errors.test.ts',
      'test/unit/evidence-file-use-cases.test.ts',
      'test/unit/request-use-cases.test.ts',
      'test/unit/ids-and-keys.test.ts',
      'test/unit/middleware/*.test.ts',
    ], globalSetup: [] },
});
