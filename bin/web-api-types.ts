/** `npm run web:api-types`: rewrites the console's API types from the OpenAPI document the API serves. */
import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../functions/api/openapi.js';
import { renderApiTypes } from '../web/scripts/api-types.js';

export const API_TYPES_FILE = 'web/src/api/schema.gen.ts';

await writeFile(API_TYPES_FILE, renderApiTypes(openApiDocument()));
console.log(`wrote ${API_TYPES_FILE}`);
