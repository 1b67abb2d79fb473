/** The conversation on a request, oldest first: the buyer and the factory write, auditors and admins read. */
import { useState, type FormEvent } from 'react';
import { unwrap, type Request, type Schemas } from '../api/client';
import { useSession } from '../context';
import { formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';

type Comment = Schemas['Comment'];

export function Comments({ request }: { request: Request }) {
  const { api, me } = useSession();
  const loaded = useLoad(async () => {
    const comments: Comment[] = [];
    let cursor: string | undefined;
    do {
      const page = await unwrap(api.GET('/v1/requests/{requestId}/comments', { params: { path: { requestId: request.requestId }, query: { limit: '100', ...(cursor && { cursor }) } } }));
      comments.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && comments.length < 1000);
    return comments;
  }, [request.requestId]);
  const [text, setText] = useState('');
  const [itemId, setItemId] = useState('');
  const command = useCommand();
  const party = (me.role === 'buyer' && me.orgId === request.buyerOrgId) || (me.role === 'factory' && me.orgId === request.factoryId);
  const docTypeOf = (id: string | undefined) => request.items.find((i) => i.itemId === id)?.docType;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await command.run(() =>
      unwrap(api.POST('/v1/requests/{requestId}/comments', { params: { path: { requestId: request.requestId } }, body: { text, ...(itemId && { itemId }) } })),
    );
    if (ok) {
      setText('');
      loaded.reload();
    }
  };
  return (
    <section aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      <ProblemAlert error={loaded.error} />
      {loaded.data?.length === 0 && <p>No comments yet.</p>}
      <ol className="comments">
        {loaded.data?.map((c) => (
          <li key={c.commentId}>
            <p className="muted">
              <strong>{c.author.username}</strong> ({c.author.role}, {c.author.orgId}) · <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
              {c.itemId && <> · on {docTypeOf(c.itemId) ?? c.itemId}</>}
            </p>
            <p className="comment-text">{c.text}</p>
          </li>
        ))}
      </ol>
      {party && (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <label>
            Your comment
            <textarea required maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <label>
            About
            <select value={itemId} onChange={(e) => setItemId(e.target.value)}>
              <option value="">the whole request</option>
              {request.items.map((item) => (
                <option key={item.itemId} value={item.itemId}>
                  {item.docType}
                </option>
              ))}
            </select>
          </label>
          <ProblemAlert error={command.error} />
          <button type="submit" disabled={command.busy}>
            Post comment
          </button>
        </form>
      )}
    </section>
  );
}
