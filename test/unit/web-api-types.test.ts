/** The console's API types are generated from the OpenAPI document the API serves, and kept current. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.js';
import { renderApiTypes, renderSchema } from '../../web/scripts/api-types.js';

describe('web/src/api/schema.gen.ts', () => {
  it('is what the served OpenAPI document generates (run `npm run web:api-types` after changing an endpoint)', async () => {
    const committed = await readFile(new URL('../../web/src/api/schema.gen.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderApiTypes(openApiDocument()));
  });

  it('covers every path and method of the document', () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const generated = renderApiTypes(document);
    for (const [path, item] of Object.entries(document.paths)) {
      expect(generated).toContain(`  ${JSON.stringify(path)}: {`);
      for (const method of Object.keys(item)) expect(generated).toMatch(new RegExp(`${JSON.stringify(path).replace(/[{}/.]/g, '\\$&')}: \\{\\n    (?:\\w+: [\\s\\S]*?\\n    )*?${method}: \\{`));
    }
  });
});

describe('renderSchema', () => {
  it('maps the JSON Schema the document uses to TypeScript', () => {
    expect(renderSchema({ type: 'string', enum: ['A', 'B'] })).toBe('"A" | "B"');
    expect(renderSchema({ const: 'ok' })).toBe('"ok"');
    expect(renderSchema({ type: 'array', items: { $ref: '#/components/schemas/Request' } })).toBe('(components["schemas"]["Request"])[]');
    expect(renderSchema({ type: 'object', properties: { a: { type: 'integer' }, b: { type: 'boolean' } }, required: ['a'], additionalProperties: false })).toBe(
      '{\n  "a": number;\n  "b"?: boolean;\n}',
    );
    expect(renderSchema({ type: 'object', additionalProperties: {} })).toBe('{\n  [key: string]: unknown;\n}');
    expect(renderSchema({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe('(string) | (null)');
  });

  it('refuses a keyword it does not know, rather than typing it wrongly', () => {
    expect(() => renderSchema({ type: 'object', if: {} })).toThrow(/"if" is not supported/);
    expect(() => renderSchema({ $ref: '#/elsewhere' })).toThrow(/not a component schema/);
  });
});
