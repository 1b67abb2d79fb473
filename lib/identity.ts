/**
 * The Cognito user pool: role groups, the org claim in access tokens, managed login for
 * people (authorization code + PKCE) and client credentials for machines.
 *
 * MFA: Cognito cannot require MFA for some groups only, and the org and role of every
 * user gate access to other companies' compliance documents, so MFA (TOTP, no SMS) is
 * REQUIRED pool-wide: admins and auditors are covered without a per-group workaround.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { API_SCOPE, ORG_ATTRIBUTE } from '../functions/config/claims.js';
import { ROLES } from '../functions/core/permissions.js';
import { ServiceFunction } from './service-function.js';
import type { StageSettings } from './stages.js';

/** Access and ID tokens live at most this long; refresh tokens are revocable. */
export const ACCESS_TOKEN_VALIDITY = Duration.minutes(15);
export const MIN_PASSWORD_LENGTH = 12;

const [RESOURCE_SERVER_ID, SCOPE_NAME] = splitScope(API_SCOPE);

export interface IdentityProps {
  readonly settings: StageSettings;
  /** Encrypts the trigger's log group. */
  readonly logKey: kms.IKey;
  /** The web console's origin (`https://...`): its `/callback` and `/` join the stage's callback and sign-out URLs. @default none */
  readonly consoleUrl?: string;
}

/** The managed-login domain prefix of the stage: `authDomainPrefix`, or one unique per stage and account. */
export function managedLoginDomainPrefix(settings: StageSettings, scope: Construct): string {
  return settings.authDomainPrefix ?? `evidence-${settings.stage}-${Stack.of(scope).account}`;
}

/** `https://<prefix>.auth.<region>.amazoncognito.com`, where `/oauth2/*` and `/logout` live. */
export function managedLoginBaseUrl(settings: StageSettings, scope: Construct): string {
  return `https://${managedLoginDomainPrefix(settings, scope)}.auth.${Stack.of(scope).region}.amazoncognito.com`;
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  /** Browser / mobile client: managed login, authorization code with PKCE. */
  readonly webClient: cognito.UserPoolClient;
  /** Machine integrations: client credentials with the API scope, instead of API keys. */
  readonly machineClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The OAuth scope API methods require (`evidence-api/access`). */
  readonly apiScope: cognito.OAuthScope;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { settings } = props;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { [customName(ORG_ATTRIBUTE)]: new cognito.StringAttribute({ minLen: 1, maxLen: 100, mutable: true }) },
      passwordPolicy: {
        minLength: MIN_PASSWORD_LENGTH,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // The pre token generation trigger V2 (org claim in access tokens) needs Essentials;
      // threat protection needs Plus.
      featurePlan: settings.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: settings.threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      // Cognito's own sender allows a few e-mails a day: enough for dev, not for invitations
      // and password resets in prod, where the stage names an SES-verified address.
      ...(settings.sesFromEmail && {
        email: cognito.UserPoolEmail.withSES({ fromEmail: settings.sesFromEmail, sesRegion: settings.region }),
      }),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!settings.threatProtection) {
      for (const id of ['AwsSolutions-COG3', 'AwsSolutions-COG8']) {
        Validations.of(this.userPool).acknowledge({
          id,
          reason: 'Threat protection needs the Plus plan; it is a stage setting (threatProtection), on in prod. Non-prod stages run on Essentials, which still allows the V2 pre token trigger.',
        });
      }
    }

    const preToken = new ServiceFunction(this, 'PreTokenGeneration', {
      handler: 'pre-token',
      description: 'Adds the org claim to Cognito access tokens',
      timeout: Duration.seconds(5),
      memorySize: 256,
      logKey: props.logKey,
    });
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, preToken.function, cognito.LambdaVersion.V2_0);

    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, { groupName: role, description: `Role ${role}` });
    }

    const resourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Evidence requests API',
      scopes: [new cognito.ResourceServerScope({ scopeName: SCOPE_NAME, scopeDescription: 'Call the evidence requests API' })],
    });
    this.apiScope = cognito.OAuthScope.custom(API_SCOPE);

    // Users may edit their name and email only: no client can write `custom:` attributes,
    // so the org claim is set by admins through the admin API alone.
    const writeAttributes = new cognito.ClientAttributes().withStandardAttributes({ email: true, givenName: true, familyName: true });
    const readAttributes = writeAttributes.withStandardAttributes({ emailVerified: true }).withCustomAttributes(customName(ORG_ATTRIBUTE));

    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: 'web',
      generateSecret: false,
      // Public client: the browser must send a PKCE code_challenge, which Cognito then verifies.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE, this.apiScope],
        callbackUrls: [...(props.consoleUrl ? [`${props.consoleUrl}/callback`] : []), ...settings.callbackUrls],
        logoutUrls: [...(props.consoleUrl ? [`${props.consoleUrl}/`] : []), ...settings.logoutUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: ACCESS_TOKEN_VALIDITY,
      idTokenValidity: ACCESS_TOKEN_VALIDITY,
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      readAttributes,
      writeAttributes,
    });
    this.webClient.node.addDependency(resourceServer);

    this.machineClient = this.userPool.addClient('MachineClient', {
      userPoolClientName: 'machine',
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [this.apiScope] },
      accessTokenValidity: ACCESS_TOKEN_VALIDITY,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      readAttributes: new cognito.ClientAttributes(),
      writeAttributes: new cognito.ClientAttributes(),
    });
    this.machineClient.node.addDependency(resourceServer);

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: managedLoginDomainPrefix(settings, this) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login (v2) shows a page only for clients that have a branding style.
    new cognito.CfnManagedLoginBranding(this, 'WebClientBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.webClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
  }

  /** Client ids whose access tokens the API accepts (env CLIENT_IDS). */
  get clientIds(): string[] {
    return [this.webClient.userPoolClientId, this.machineClient.userPoolClientId];
  }
}

function customName(attribute: string): string {
  if (!attribute.startsWith('custom:')) throw new Error(`ORG_ATTRIBUTE "${attribute}" must start with "custom:"`);
  return attribute.slice('custom:'.length);
}

function splitScope(scope: string): [string, string] {
  const [server, name, ...rest] = scope.split('/');
  if (!server || !name || rest.length) throw new Error(`API_SCOPE "${scope}" must look like "<resource server>/<scope>"`);
  return [server, name];
}
