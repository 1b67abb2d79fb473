/**
 * Turns the served OpenAPI document (functions/api/openapi.ts, `GET /v1/openapi.json`) into
 * the console's TypeScript types, in openapi-typescript's shape (`paths`, `components`) so
 * openapi-fetch types every call from them. Written here because openapi-typescript needs the
 * TypeScript 5 compiler API, which the project's TypeScript 7 does not ship; the document only
 * uses the JSON Schema subset below, and an unknown keyword fails the generation loudly.
 * `npm run web:api-types` rewrites web/src/api/schema.gen.ts; a test keeps it current.
 */
type Schema = Record<string, unknown>;

/** Keywords that only constrain values (no effect on the type). */
const IGNORED = new Set(['minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'minItems', 'maxItems', 'description', 'title', 'default', 'exclusiveMinimum', 'exclusiveMaximum', 'examples', 'uniqueItems', 'readOnly', 'writeOnly', 'deprecated', 'contentEncoding', 'contentMediaType', 'propertyNames']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export function renderApiTypes(document: Schema): string {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Schema>>;
  const schemas = ((document.components as Schema | undefined)?.schemas ?? {}) as Record<string, Schema>;
  const out: string[] = [
    '// Generated from the OpenAPI document by web/scripts/api-types.ts (npm run web:api-types). Do not edit.',
    '/* eslint-disable */',
    'export interface paths {',
  ];
  for (const [path, item] of Object.entries(paths)) {
    out.push(`  ${JSON.stringify(path)}: {`);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) out.push(`    ${method}: ${indent(renderOperation(operation), 4)};`);
    }
    out.push('  };');
  }
  out.push('}', '', 'export interface components {', '  schemas: {');
  for (const [name, schema] of Object.entries(schemas)) out.push(`    ${JSON.stringify(name)}: ${indent(renderSchema(schema), 4)};`);
  out.push('  };', '}', '');
  return out.join('\n');
}

function renderOperation(operation: Schema): string {
  const parameters = (operation.parameters ?? []) as { name: string; in: string; required?: boolean; schema: Schema }[];
  const byPlace = (place: string) => parameters.filter((p) => p.in === place);
  const lines = ['{', '  parameters: {'];
  for (const place of ['query', 'header', 'path', 'cookie']) {
    const list = byPlace(place);
    if (list.length === 0) {
      lines.push(`    ${place}?: never;`);
      continue;
    }
    const required = list.some((p) => p.required);
    lines.push(`    ${place}${required ? '' : '?'}: {`);
    for (const p of list) lines.push(`      ${JSON.stringify(p.name)}${p.required ? '' : '?'}: ${indent(renderSchema(p.schema), 6)};`);
    lines.push('    };');
  }
  lines.push('  };');
  const body = operation.requestBody as { required?: boolean; content?: Record<string, { schema: Schema }> } | undefined;
  if (body?.content) {
    lines.push(`  requestBody${body.required ? '' : '?'}: {`, '    content: {');
    for (const [media, { schema }] of Object.entries(body.content)) lines.push(`      ${JSON.stringify(media)}: ${indent(renderSchema(schema), 6)};`);
    lines.push('    };', '  };');
  } else {
    lines.push('  requestBody?: never;');
  }
  lines.push('  responses: {');
  for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, { content?: Record<string, { schema: Schema }> }>)) {
    lines.push(`    ${/^\d+$/.test(status) ? status : JSON.stringify(status)}: {`, '      headers: { [name: string]: unknown };');
    if (response.content) {
      lines.push('      content: {');
      for (const [media, { schema }] of Object.entries(response.content)) lines.push(`        ${JSON.stringify(media)}: ${indent(renderSchema(schema), 8)};`);
      lines.push('      };');
    } else {
      lines.push('      content?: never;');
    }
    lines.push('    };');
  }
  lines.push('  };', '}');
  return lines.join('\n');
}

export function renderSchema(schema: Schema): string {
  for (const key of Object.keys(schema)) {
    if (!IGNORED.has(key) && !['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', '$ref', 'anyOf', 'oneOf', 'allOf'].includes(key)) {
      throw new Error(`renderSchema: JSON Schema keyword "${key}" is not supported; teach web/scripts/api-types.ts its type`);
    }
  }
  if (typeof schema.$ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    if (!name) throw new Error(`renderSchema: $ref ${schema.$ref} is not a component schema`);
    return `components["schemas"][${JSON.stringify(name)}]`;
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  for (const [key, join] of [['anyOf', ' | '], ['oneOf', ' | '], ['allOf', ' & ']] as const) {
    if (Array.isArray(schema[key])) return (schema[key] as Schema[]).map((s) => `(${renderSchema(s)})`).join(join);
  }
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => renderSchema({ ...schema, type: t })).join(' | ');
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return schema.items ? `(${renderSchema(schema.items as Schema)})[]` : 'unknown[]';
    case 'object':
      return renderObject(schema);
    case undefined:
      return schema.properties ? renderObject(schema) : 'unknown';
    default:
      throw new Error(`renderSchema: type ${String(type)} is not supported`);
  }
}

function renderObject(schema: Schema): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const lines = Object.entries(properties).map(([name, property]) => `  ${JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${indent(renderSchema(property), 2)};`);
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') lines.push(`  [key: string]: ${indent(renderSchema(extra as Schema), 2)};`);
  else if (extra === true || (extra === undefined && lines.length === 0)) lines.push('  [key: string]: unknown;');
  return lines.length ? `{\n${lines.join('\n')}\n}` : 'Record<string, never>';
}

function indent(text: string, spaces: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(spaces)}`);
}
