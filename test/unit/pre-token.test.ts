import { describe, expect, it } from 'vitest';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { ORG_ATTRIBUTE, ORG_CLAIM } from '../../functions/config/claims.js';
import { handler } from '../../functions/handlers/pre-token.js';

function event(userAttributes: Record<string, string>): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_Test1',
    userName: 'buyer1',
    callerContext: { awsSdkVersion: '1', clientId: 'client' },
    request: { userAttributes, groupConfiguration: { groupsToOverride: ['buyer'] }, scopes: ['evidence-api/access'] },
    response: { claimsAndScopeOverrideDetails: {} },
  } as PreTokenGenerationV2TriggerEvent;
}

describe('pre token generation trigger', () => {
  it('adds the organisation attribute to the access token as the org claim', async () => {
    const result = await handler(event({ sub: 'u1', [ORG_ATTRIBUTE]: 'B001' }));
    expect(result.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      [ORG_CLAIM]: 'B001',
    });
  });

  it('adds no claim for a user without an organisation', async () => {
    const result = await handler(event({ sub: 'auditor' }));
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({});
  });

  it('leaves the id token and group configuration untouched', async () => {
    const input = event({ [ORG_ATTRIBUTE]: 'F001' });
    input.response.claimsAndScopeOverrideDetails = { idTokenGeneration: { claimsToSuppress: ['email'] } };
    const result = await handler(input);
    expect(result.response.claimsAndScopeOverrideDetails.idTokenGeneration).toEqual({ claimsToSuppress: ['email'] });
    expect(result.request.groupConfiguration).toEqual({ groupsToOverride: ['buyer'] });
  });
});
