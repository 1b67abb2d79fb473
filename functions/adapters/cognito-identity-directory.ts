/**
 * The IdentityDirectory on the Cognito user pool: AdminCreateUser (Cognito e-mails the
 * temporary password; the pool requires TOTP enrolment at first sign-in), group = role, the
 * organisation in the custom attribute no app client may write, AdminUserGlobalSignOut after
 * every change, AdminDeleteUser at erasure.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
  UserNotFoundException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ORG_ATTRIBUTE } from '../config/claims.js';
import { ConflictError } from '../core/errors.js';
import type { Role } from '../core/permissions.js';
import type { IdentityDirectory, IdentityRef, NewIdentity } from '../core/ports.js';

export class CognitoIdentityDirectory implements IdentityDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async create(identity: NewIdentity): Promise<{ userId: string }> {
    let sub: string | undefined;
    try {
      const created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          // The pool signs in by e-mail (lib/identity.ts): its Cognito username is the address,
          // the product's username travels as preferred_username (into the access token by
          // the pre token generation trigger).
          Username: identity.email,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: identity.email },
            { Name: 'preferred_username', Value: identity.username },
            { Name: 'email_verified', Value: 'true' },
            ...(identity.orgId !== undefined ? [{ Name: ORG_ATTRIBUTE, Value: identity.orgId }] : []),
          ],
        }),
      );
      sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (error) {
      if (error instanceof UsernameExistsException) throw new ConflictError('username-taken', `An account with ${identity.email} exists`, { cause: error });
      throw error;
    }
    if (!sub) throw new Error(`AdminCreateUser answered no sub for ${identity.username}`);
    await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: sub, GroupName: identity.role }));
    return { userId: sub };
  }

  async changeRole(identity: IdentityRef, change: { from: Role; to: Role; orgId?: string | undefined }): Promise<void> {
    const user = this.ref(identity);
    if (change.from !== change.to) {
      await this.client.send(new AdminAddUserToGroupCommand({ ...user, GroupName: change.to }));
      await this.client.send(new AdminRemoveUserFromGroupCommand({ ...user, GroupName: change.from }));
    }
    if (change.orgId !== undefined) {
      await this.client.send(new AdminUpdateUserAttributesCommand({ ...user, UserAttributes: [{ Name: ORG_ATTRIBUTE, Value: change.orgId }] }));
    } else {
      await this.client.send(new AdminDeleteUserAttributesCommand({ ...user, UserAttributeNames: [ORG_ATTRIBUTE] }));
    }
  }

  async setEnabled(identity: IdentityRef, enabled: boolean): Promise<void> {
    const input = this.ref(identity);
    await this.client.send(enabled ? new AdminEnableUserCommand(input) : new AdminDisableUserCommand(input));
  }

  async signOut(identity: IdentityRef): Promise<void> {
    try {
      await this.client.send(new AdminUserGlobalSignOutCommand(this.ref(identity)));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  async remove(identity: IdentityRef): Promise<void> {
    try {
      await this.client.send(new AdminDeleteUserCommand(this.ref(identity)));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  /** Admin APIs take the `sub` as Username in a pool whose users sign in by e-mail. */
  private ref(identity: IdentityRef) {
    return { UserPoolId: this.userPoolId, Username: identity.userId };
  }

  async activeAdminCount(): Promise<number> {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListUsersInGroupCommand({ UserPoolId: this.userPoolId, GroupName: 'admin', Limit: 60, NextToken: token }));
      count += (page.Users ?? []).filter((u) => u.Enabled !== false).length;
      token = page.NextToken;
    } while (token);
    return count;
  }
}
