/**
 * The session state on DynamoDB: the user's and the organisation's items, read in parallel
 * with eventually consistent GetItem (0.5 read units each), projected to what decides a session.
 * Built on the low-level client, so the public group's bundle stays without lib-dynamodb.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrganisationStatus, UserStatus } from '../schemas/directory.js';
import type { SessionState, SessionStates } from '../core/ports.js';
import { dynamo } from './dynamo-errors.js';

export class DynamoSessionStates implements SessionStates {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(userId: string, orgId: string | undefined): Promise<SessionState> {
    const get = (pk: string, sk: string, projection: string) =>
      dynamo(() =>
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: { pk: { S: pk }, sk: { S: sk } },
            ProjectionExpression: projection,
            ExpressionAttributeNames: { '#status': 'status' },
          }),
        ),
      );
    const [user, org] = await Promise.all([
      get(`USER#${userId}`, 'USER', '#status, revokedAt, erasedAt'),
      orgId === undefined ? Promise.resolve(undefined) : get(`ORG#${orgId}`, 'ORG', '#status'),
    ]);
    const u = user.Item;
    const o = org?.Item;
    return {
      ...(u && { user: { status: (u.status?.S ?? 'ACTIVE') as UserStatus, revokedAt: u.revokedAt?.S, erased: u.erasedAt?.S !== undefined } }),
      ...(o && { org: { status: (o.status?.S ?? 'ACTIVE') as OrganisationStatus } }),
    };
  }
}
