/** A buyer asks a factory for documents: the factory, a title, a due date and the items. */
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/client';
import { useSession } from '../context';
import { today } from '../ui/format';
import { useCommand } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';
import { navigate } from '../ui/router';
import { FactoryPicker } from './factory-picker';

interface ItemDraft {
  key: number;
  docType: string;
  note: string;
}

export function NewRequest() {
  const { api } = useSession();
  const [factoryId, setFactoryId] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [items, setItems] = useState<ItemDraft[]>([{ key: 0, docType: '', note: '' }]);
  const command = useCommand();

  const update = (key: number, change: Partial<ItemDraft>) => setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await command.run(async () => {
      const created = await unwrap(
        api.POST('/v1/requests', {
          body: {
            factoryId,
            title,
            ...(description && { description }),
            ...(dueDate && { dueDate }),
            items: items.map((item) => ({ docType: item.docType, ...(item.note && { note: item.note }) })),
          },
        }),
      );
      navigate(`/requests/${encodeURIComponent(created.requestId)}`);
    });
  };

  return (
    <section>
      <h1>New request</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <FactoryPicker value={factoryId} onChange={setFactoryId} />
        <label>
          Title
          <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Description
          <textarea maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Due date
          <input type="date" min={today()} value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
        </label>
        <fieldset>
          <legend>Documents requested</legend>
          {items.map((item, index) => (
            <div className="item-row" key={item.key}>
              <label>
                Document type {index + 1}
                <input required maxLength={100} value={item.docType} onChange={(e) => update(item.key, { docType: e.target.value })} placeholder="e.g. audit-report" />
              </label>
              <label>
                Note {index + 1}
                <input maxLength={1000} value={item.note} onChange={(e) => update(item.key, { note: e.target.value })} />
              </label>
              {items.length > 1 && (
                <button type="button" className="secondary" onClick={() => setItems((list) => list.filter((i) => i.key !== item.key))}>
                  Remove document {index + 1}
                </button>
              )}
            </div>
          ))}
          {items.length < 50 && (
            <button type="button" className="secondary" onClick={() => setItems((list) => [...list, { key: Math.max(...list.map((i) => i.key)) + 1, docType: '', note: '' }])}>
              Add a document
            </button>
          )}
        </fieldset>
        <ProblemAlert error={command.error} />
        <button type="submit" disabled={command.busy}>
          Send request
        </button>
      </form>
    </section>
  );
}
