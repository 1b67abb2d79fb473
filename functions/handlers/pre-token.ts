/**
 * Cognito pre token generation trigger (event version V2): copies the user's organisation
 * attribute into the access token, where the API's token check reads it. Only admins can
 * write the attribute (no app client may write `custom:` attributes), so the claim is
 * trustworthy. Users without an organisation (auditors, admins) get no claim.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { ORG_ATTRIBUTE, ORG_CLAIM } from '../config/claims.js';

export function addOrgClaim<E extends PreTokenGenerationV2TriggerEvent>(event: E): E {
  const orgId = event.request.userAttributes[ORG_ATTRIBUTE];
  if (!orgId) return event;
  const details = event.response.claimsAndScopeOverrideDetails ?? {};
  return {
    ...event,
    response: {
      ...event.response,
      claimsAndScopeOverrideDetails: {
        ...details,
        accessTokenGeneration: {
          ...details.accessTokenGeneration,
          claimsToAddOrOverride: { ...details.accessTokenGeneration?.claimsToAddOrOverride, [ORG_CLAIM]: orgId },
        },
      },
    },
  };
}

export const handler = async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> =>
  addOrgClaim(event);
