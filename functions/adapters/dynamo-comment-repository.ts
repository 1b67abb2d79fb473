/** Comments on DynamoDB: one item per comment in its request's partition, sorted by creation. */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CommentRepository, Page, PageRequest } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import type { Comment } from '../schemas/comments.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, COMMENT_PREFIX, ITEM_SCHEMA_VERSION, keys, stripKeys } from './dynamo-items.js';
import { queryPartitionPage } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

export class DynamoCommentRepository implements CommentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async create(comment: Comment, audit: AuditEvent): Promise<void> {
    const { tableName } = this.settings;
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...keys.comment(comment), entity: 'comment', schemaVersion: ITEM_SCHEMA_VERSION, ...comment },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async list(requestId: string, page: PageRequest): Promise<Page<Comment>> {
    const result = await queryPartitionPage(this.client, this.settings.tableName, { partition: keys.request(requestId).pk, skPrefix: COMMENT_PREFIX }, page);
    return { ...result, items: result.items.map((item) => stripKeys<Comment>(item)) };
  }
}
