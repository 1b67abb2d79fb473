/** A buyer's requests (auditor, admin: all) or a factory's queue: counts per status, overdue first. */
import { useState } from 'react';
import { unwrap, type Request } from '../api/client';
import { useSession } from '../context';
import { StatusBadge, formatDateTime, today } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';
import { Link } from '../ui/router';

const STATUSES = ['OPEN', 'IN_PROGRESS', 'FULFILLED', 'COMPLETED', 'CANCELLED'] as const;
/** Pages of 100 read for the counts; past this the list says it shows the newest only. */
const MAX_PAGES = 10;

export function isOverdue(request: Request, on = today()): boolean {
  return !!request.dueDate && request.dueDate < on && request.status !== 'COMPLETED' && request.status !== 'CANCELLED';
}

/** Overdue first (the longest overdue on top), then newest first as the API lists them. */
export function overdueFirst(requests: readonly Request[], on = today()): Request[] {
  const overdue = requests.filter((r) => isOverdue(r, on)).sort((a, b) => a.dueDate!.localeCompare(b.dueDate!));
  return [...overdue, ...requests.filter((r) => !isOverdue(r, on))];
}

export function RequestList({ mode }: { mode: 'requests' | 'queue' }) {
  const { api } = useSession();
  const [filter, setFilter] = useState<(typeof STATUSES)[number] | undefined>(undefined);
  const loaded = useLoad(async () => {
    const items: Request[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const query = { limit: '100', ...(cursor && { cursor }) };
      const answer =
        mode === 'queue'
          ? await unwrap(api.GET('/v1/factory/requests', { params: { query } }))
          : await unwrap(api.GET('/v1/requests', { params: { query } }));
      items.push(...answer.items);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return { items, truncated: cursor !== undefined };
  }, [mode]);
  const all = loaded.data?.items ?? [];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, all.filter((r) => r.status === s).length]));
  const overdueCount = all.filter((r) => isOverdue(r)).length;
  const shown = overdueFirst(filter ? all.filter((r) => r.status === filter) : all);
  const heading = mode === 'queue' ? 'Queue' : 'Requests';
  return (
    <section>
      <h1>{heading}</h1>
      <button type="button" className="secondary" onClick={loaded.reload} disabled={loaded.loading}>
        Refresh
      </button>
      <ProblemAlert error={loaded.error} />
      <div className="counts" role="group" aria-label="Filter by status">
        <button type="button" aria-pressed={filter === undefined} onClick={() => setFilter(undefined)}>
          All <span className="count">{all.length}</span>
        </button>
        {STATUSES.map((status) => (
          <button key={status} type="button" aria-pressed={filter === status} onClick={() => setFilter(status)}>
            {status.replaceAll('_', ' ').toLowerCase()} <span className="count" data-testid={`count-${status}`}>{counts[status]}</span>
          </button>
        ))}
        <span className="overdue-count">
          overdue <span className="count">{overdueCount}</span>
        </span>
      </div>
      {loaded.loading && !loaded.data ? (
        <p aria-live="polite">Loading…</p>
      ) : shown.length === 0 ? (
        <p>No requests{filter ? ` with status ${filter.replaceAll('_', ' ').toLowerCase()}` : ''}.</p>
      ) : (
        <table>
          <caption className="visually-hidden">{heading}, overdue first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">{mode === 'queue' ? 'Buyer' : 'Factory'}</th>
              <th scope="col">Status</th>
              <th scope="col">Items</th>
              <th scope="col">Due</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.requestId} className={isOverdue(r) ? 'overdue' : undefined}>
                <td>
                  <Link to={`/requests/${encodeURIComponent(r.requestId)}`}>{r.title}</Link>
                </td>
                <td>{mode === 'queue' ? r.buyerOrgId : r.factoryId}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {r.items.filter((i) => i.status === 'ACCEPTED').length}/{r.items.length} accepted
                </td>
                <td>
                  {r.dueDate ?? '–'} {isOverdue(r) && <span className="badge badge-expired">overdue</span>}
                </td>
                <td>{formatDateTime(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loaded.data?.truncated && <p>Showing the newest {all.length} requests.</p>}
    </section>
  );
}
