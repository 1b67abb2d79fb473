/**
 * cdk-nag acknowledgements of wildcard resources, one finding at a time. cdk-nag names an
 * IAM5 finding by the resource as rendered in the template (`<Logical.Attr>`, import
 * names, `<AWS::Partition>`), so the finding id is rendered here from the very value given
 * to the policy statement: the acknowledgement cannot drift from the grant.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join('');
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Ref' in v) return `<${String(v['Ref'])}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::ImportValue' in v) return render(v['Fn::ImportValue']);
  throw new Error(`Cannot render ${JSON.stringify(value)} as a cdk-nag finding`);
}

/** The cdk-nag IAM5 finding id of a wildcard resource (e.g. `AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`). */
export function wildcardFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges the IAM5 finding of each wildcard resource on `role`, with one reason. */
export function acknowledgeWildcardResources(role: IConstruct, resources: readonly string[], reason: string): void {
  for (const resource of resources) Validations.of(role).acknowledge({ id: wildcardFinding(role, resource), reason });
}
