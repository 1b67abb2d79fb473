import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_SCOPE, ORG_ATTRIBUTE } from '../../functions/config/claims.js';
import { ROLES } from '../../functions/core/permissions.js';
import { synthApp } from './app.js';

let template: Template;
beforeAll(() => {
  template = synthApp({ stage: 'dev' }).statefulTemplate;
});

const clients = () => Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties);
const webClient = () => clients().find((c) => c.ClientName === 'web')!;
const machineClient = () => clients().find((c) => c.ClientName === 'machine')!;

describe('user pool', () => {
  it('allows no self sign-up, needs 12+ character passwords, requires TOTP MFA and is deletion-protected', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true }) },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
      }),
    });
  });

  it('is on a feature plan that allows the V2 pre token trigger, and wires it', () => {
    const [pool] = Object.values(template.findResources('AWS::Cognito::UserPool'));
    expect(['ESSENTIALS', 'PLUS']).toContain(pool!.Properties.UserPoolTier);
    expect(pool!.Properties.LambdaConfig.PreTokenGenerationConfig).toEqual({
      LambdaArn: expect.anything(),
      LambdaVersion: 'V2_0',
    });
  });

  it('has the org attribute and a group per role', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: ORG_ATTRIBUTE.replace('custom:', ''), Mutable: true })]),
    });
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...ROLES].sort());
  });

  it('has the resource server and scope the API methods require', () => {
    const [server, scope] = API_SCOPE.split('/');
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: server,
      Scopes: [Match.objectLike({ ScopeName: scope })],
    });
  });

  it('serves managed login (v2) with branding for the web client', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });
});

describe('app clients', () => {
  it('lets no client write a custom attribute', () => {
    expect(clients()).toHaveLength(2);
    for (const client of clients()) {
      expect(client.WriteAttributes).toBeDefined();
      expect((client.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
    }
  });

  /** The CloudFront distribution's address plus `path`: the console's callback and sign-out URLs come from the stage's web console. */
  const consoleUrl = (path: string) => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^WebConsoleDistribution/), 'DomainName'] }, path]] });

  it('web client: public, authorization code only (PKCE), API scope, 15 minute tokens, revocation', () => {
    expect(webClient()).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid', API_SCOPE]),
      CallbackURLs: [consoleUrl('/callback'), 'http://localhost:5173/callback'],
      LogoutURLs: [consoleUrl('/'), 'http://localhost:5173/'],
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      TokenValidityUnits: expect.objectContaining({ AccessToken: 'minutes', IdToken: 'minutes' }),
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(webClient().AllowedOAuthFlows).not.toContain('implicit');
  });

  it('machine client: client credentials with the API scope and a secret, instead of API keys', () => {
    expect(machineClient()).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [API_SCOPE],
      AccessTokenValidity: 15,
      EnableTokenRevocation: true,
    });
    expect(synthApp({ stage: 'dev' }).statelessTemplate.findResources('AWS::ApiGateway::ApiKey')).toEqual({});
  });
});
