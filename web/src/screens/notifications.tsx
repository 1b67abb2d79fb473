/** A user's inbox: what happened on their organisation's requests, evidence and packs; newest first, marked read one by one. */
import { useState } from 'react';
import { unwrap, type Schemas } from '../api/client';
import { useSession } from '../context';
import { formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';
import { Link } from '../ui/router';

type Notification = Schemas['Notification'];

function subjectLink(n: Notification): string | undefined {
  if (n.subject.type === 'request') return `/requests/${encodeURIComponent(n.subject.id)}`;
  if (n.subject.type === 'evidence') return `/evidence/${encodeURIComponent(n.subject.id)}`;
  if (n.subject.type === 'pack') return `/packs/${encodeURIComponent(n.subject.id)}`;
  return undefined;
}

export function Notifications() {
  const { api } = useSession();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const loaded = useLoad(async () => (await unwrap(api.GET('/v1/notifications', { params: { query: { limit: '100', ...(unreadOnly && { unread: 'true' as const }) } } }))).items, [unreadOnly]);
  const command = useCommand();
  const markRead = (id: string) =>
    command.run(async () => {
      await unwrap(api.POST('/v1/notifications/{notificationId}/read', { params: { path: { notificationId: id } }, body: {} }));
      loaded.reload();
    });
  return (
    <section>
      <h1>Notifications</h1>
      <label className="inline">
        <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Unread only
      </label>
      <button type="button" className="secondary" onClick={loaded.reload}>
        Refresh
      </button>
      <ProblemAlert error={loaded.error} />
      <ProblemAlert error={command.error} />
      {loaded.data?.length === 0 && <p>Nothing {unreadOnly ? 'unread' : 'yet'}.</p>}
      <ul className="notifications">
        {loaded.data?.map((n) => {
          const to = subjectLink(n);
          return (
            <li key={n.notificationId} className={n.readAt ? 'read' : 'unread'}>
              <p>
                <strong>{n.readAt ? '' : 'New · '}</strong>
                {to ? <Link to={to}>{n.summary}</Link> : n.summary}
              </p>
              <p className="muted">
                {n.event} · <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
              </p>
              {!n.readAt && (
                <button type="button" className="secondary" disabled={command.busy} onClick={() => void markRead(n.notificationId)}>
                  Mark read
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
