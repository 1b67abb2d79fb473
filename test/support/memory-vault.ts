/** The personal-data vault with its keys in memory (pure units, benches): the production sealing, no table. */
import { DynamoPersonalDataVault } from '../../functions/adapters/dynamo-personal-data-vault.js';
import type { PersonalDataVault } from '../../functions/core/ports.js';

/** The production vault over a document client that keeps its items in a map (GetCommand and PutCommand only). */
export function memoryVault(): PersonalDataVault {
  const items = new Map<string, Record<string, unknown>>();
  const client = {
    async send(command: { constructor: { name: string }; input: { Key?: { pk: string }; Item?: Record<string, unknown> & { pk: string } } }) {
      if (command.constructor.name === 'GetCommand') return { Item: items.get(command.input.Key!.pk) };
      if (command.constructor.name === 'PutCommand') {
        items.set(command.input.Item!.pk, command.input.Item!);
        return {};
      }
      throw new Error(`memoryVault: unexpected ${command.constructor.name}`);
    },
  };
  return new DynamoPersonalDataVault(client as never, 'memory');
}
