/**
 * cfn-lint-grade checks offline: every resource of a synthesized template against the
 * CloudFormation registry schemas that CDK itself is generated from (@aws-cdk/aws-service-spec,
 * db.json.gz). Checks that the type exists, required properties are present, no property is
 * unknown, and simple types are right (string, number, integer, boolean, arrays, maps,
 * nested definitions, unions). Intrinsics (Ref, Fn::*) are accepted wherever a value goes.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

let db: SpecDatabase | undefined;
const spec = () => (db ??= loadAwsServiceSpecSync());

export interface SchemaProblem {
  readonly resource: string;
  readonly path: string;
  readonly problem: string;
}

const isIntrinsic = (value: unknown): boolean => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
};

const describe = (value: unknown) => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`);

/** Problems of `value` against `type`, or [] when it fits. */
function checkValue(type: PropertyType, value: unknown, path: string): Array<{ path: string; problem: string }> {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'string':
    case 'date-time':
      // CloudFormation turns numbers and booleans into strings; objects and arrays it refuses.
      return ['string', 'number', 'boolean'].includes(typeof value) ? [] : [{ path, problem: `expected a string, got ${describe(value)}` }];
    case 'number':
    case 'integer': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) return [{ path, problem: `expected ${type.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}` }];
      return type.type === 'integer' && !Number.isInteger(n) ? [{ path, problem: `expected an integer, got ${String(value)}` }] : [];
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [{ path, problem: `expected a boolean, got ${describe(value)}` }];
    case 'json':
    case 'null':
      return [];
    case 'tag':
      return value && typeof value === 'object' && 'Key' in value && 'Value' in value ? [] : [{ path, problem: `expected a tag {Key, Value}, got ${describe(value)}` }];
    case 'array':
      if (!Array.isArray(value)) return [{ path, problem: `expected an array, got ${describe(value)}` }];
      return value.flatMap((element, i) => checkValue(type.element, element, `${path}[${i}]`));
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [{ path, problem: `expected a map, got ${describe(value)}` }];
      return Object.entries(value).flatMap(([k, v]) => checkValue(type.element, v, `${path}.${k}`));
    case 'ref': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [{ path, problem: `expected an object, got ${describe(value)}` }];
      const definition = spec().get('typeDefinition', type.reference.$ref);
      return checkProperties(definition.properties, value as Record<string, unknown>, path);
    }
    case 'union': {
      const attempts = type.types.map((t) => checkValue(t, value, path));
      return attempts.some((a) => a.length === 0) ? [] : attempts.sort((a, b) => a.length - b.length)[0]!;
    }
    default:
      return [];
  }
}

function checkProperties(properties: ResourceProperties, given: Record<string, unknown>, path: string): Array<{ path: string; problem: string }> {
  const problems: Array<{ path: string; problem: string }> = [];
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && given[name] === undefined) problems.push({ path: `${path}.${name}`, problem: 'required property missing' });
  }
  for (const [name, value] of Object.entries(given)) {
    const property = properties[name];
    if (!property) {
      problems.push({ path: `${path}.${name}`, problem: 'unknown property' });
      continue;
    }
    if (value === undefined) continue;
    // A property whose type changed over time accepts its previous types too (CDK keeps them).
    const types = [property.type, ...(property.previousTypes ?? [])];
    const attempts = types.map((t) => checkValue(t, value, `${path}.${name}`));
    if (!attempts.some((a) => a.length === 0)) problems.push(...attempts[0]!);
  }
  return problems;
}

/** Every problem of a template's resources; [] when all fit their schemas. */
export function validateTemplate(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    // Custom resources and CDK's own metadata have no registry schema.
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CDK::Metadata') continue;
    const found = spec().lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (found.length === 0) {
      problems.push({ resource: logicalId, path: 'Type', problem: `unknown resource type ${resource.Type}` });
      continue;
    }
    for (const p of checkProperties(found[0]!.properties, resource.Properties ?? {}, 'Properties')) problems.push({ resource: logicalId, ...p });
  }
  return problems;
}
