/**
 * Cognito pre token generation trigger (event version V2): copies the user's organisation
 * attribute into the access token, where the API's token check reads it. Only admins can
 * write the attribute (no app client may write `custom:` attributes), so the claim is
 * trustworthy. Users without an organisation (auditors, admins) get no claim. The product's
 * username (`preferred_username`, written by the directory) is added the same way.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { ORG_ATTRIBUTE, ORG_CLAIM, USERNAME_CLAIM } from '../config/claims.js';

export function addOrgClaim<E extends PreTokenGenerationV2TriggerEvent>(event: E): E {
  const orgId = event.request.userAttributes[ORG_ATTRIBUTE];
  const username = event.request.userAttributes[USERNAME_CLAIM];
  if (!orgId && !username) return event;
  const details = event.response.claimsAndScopeOverrideDetails ?? {};
  return {
    ...event,
    response: {
      ...event.response,
      claimsAndScopeOverrideDetails: {
        ...details,
        accessTokenGeneration: {
          ...details.accessTokenGeneration,
          claimsToAddOrOverride: {
            ...details.accessTokenGeneration?.claimsToAddOrOverride,
            ...(orgId && { [ORG_CLAIM]: orgId }),
            ...(username && { [USERNAME_CLAIM]: username }),
          },
        },
      },
    },
  };
}

export const handler = async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> =>
  addOrgClaim(event);
