/** The audit log for auditors and admins: every filter of GET /v1/audit, pages of results, and CSV of the whole selection. */
import { useState, type FormEvent } from 'react';
import { unwrap, type AuditEvent } from '../api/client';
import type { paths } from '../api/schema.gen';
import { useDocumentEnum } from '../api/document';
import { useSession } from '../context';
import { formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';

type AuditQuery = NonNullable<paths['/v1/audit']['get']['parameters']['query']>;
type Filters = Omit<AuditQuery, 'limit' | 'cursor'>;
const FILTER_KEYS = ['from', 'to', 'actorId', 'action', 'resourceType', 'resourceId', 'outcome'] as const satisfies readonly (keyof Filters)[];
/** CSV of at most this many pages of 100 events. */
const CSV_MAX_PAGES = 100;

/** `datetime-local` gives local wall time without a zone; the API takes RFC 3339. */
function toInstant(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

export function toCsv(events: readonly AuditEvent[]): string {
  const header = ['occurredAt', 'action', 'outcome', 'actorUserId', 'actorRole', 'actorOrgId', 'resourceType', 'resourceId', 'statusCode', 'reason', 'correlationId', 'sourceIp', 'eventId'];
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value);
    // Quote every field that needs it, and defuse spreadsheet formulas (CSV injection).
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const rows = events.map((e) =>
    [e.occurredAt, e.action, e.outcome, e.actor.userId, e.actor.role, e.actor.orgId, e.resource.type, e.resource.id, e.statusCode, e.reason, e.correlationId, e.sourceIp, e.eventId].map(cell).join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}

/**
 * The archive pipeline's latest sign of life: the hourly export (which signs the manifest chain
 * and reconciles the table with the archive) writes a `system.heartbeat` event each hour.
 */
function ArchiveStatus() {
  const { api } = useSession();
  const latest = useLoad(async () => (await unwrap(api.GET('/v1/audit', { params: { query: { action: 'system.heartbeat', limit: '1' } } }))).items[0], []);
  return (
    <aside className="panel" aria-labelledby="archive-heading">
      <h2 id="archive-heading">Archive</h2>
      <ProblemAlert error={latest.error} />
      {latest.data ? (
        <p>
          Last hourly export (signed manifest, table reconciled with the archive): <time dateTime={latest.data.occurredAt}>{formatDateTime(latest.data.occurredAt)}</time>.
          Run <code>npm run audit:verify</code> to re-hash the whole chain.
        </p>
      ) : (
        !latest.loading && <p>No hourly export has run yet.</p>
      )}
    </aside>
  );
}

export function AuditSearch() {
  const { api } = useSession();
  const enums = {
    action: useDocumentEnum('AuditEvent', ['action']),
    outcome: useDocumentEnum('AuditEvent', ['outcome']),
    resourceType: useDocumentEnum('AuditEvent', ['resource', 'type']),
  };
  const [draft, setDraft] = useState<Record<(typeof FILTER_KEYS)[number], string>>({ from: '', to: '', actorId: '', action: '', resourceType: '', resourceId: '', outcome: '' });
  const [filters, setFilters] = useState<Filters>({});
  const [limit, setLimit] = useState('20');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () => unwrap(api.GET('/v1/audit', { params: { query: { ...filters, limit, ...(cursor && { cursor }) } } })),
    [JSON.stringify(filters), limit, cursor],
  );
  const csv = useCommand();

  const search = (event: FormEvent) => {
    event.preventDefault();
    const next: Record<string, string> = {};
    for (const key of FILTER_KEYS) {
      const value = key === 'from' || key === 'to' ? toInstant(draft[key]) : draft[key].trim();
      if (value) next[key] = value;
    }
    setFilters(next as Filters);
    setCursors([undefined]);
  };
  const downloadCsv = () =>
    csv.run(async () => {
      const events: AuditEvent[] = [];
      let next: string | undefined;
      for (let n = 0; n < CSV_MAX_PAGES; n += 1) {
        const answer = await unwrap(api.GET('/v1/audit', { params: { query: { ...filters, limit: '100', ...(next && { cursor: next }) } } }));
        events.push(...answer.items);
        next = answer.nextCursor;
        if (!next) break;
      }
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([toCsv(events)], { type: 'text/csv' }));
      link.download = `audit-${new Date().toISOString().replaceAll(':', '-')}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    });
  const select = (key: 'action' | 'outcome' | 'resourceType', label: string) => (
    <label>
      {label}
      <select value={draft[key]} onChange={(e) => { const value = e.target.value; setDraft((d) => ({ ...d, [key]: value })); }}>
        <option value="">any</option>
        {enums[key].map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </label>
  );
  const text = (key: 'actorId' | 'resourceId', label: string) => (
    <label>
      {label}
      <input value={draft[key]} maxLength={100} onChange={(e) => { const value = e.target.value; setDraft((d) => ({ ...d, [key]: value })); }} />
    </label>
  );
  return (
    <section>
      <h1>Audit log</h1>
      <ArchiveStatus />
      <form className="filters" onSubmit={search} aria-label="Audit filters">
        <label>
          From (inclusive)
          <input type="datetime-local" step={1} value={draft.from} onChange={(e) => { const value = e.target.value; setDraft((d) => ({ ...d, from: value })); }} />
        </label>
        <label>
          To (exclusive)
          <input type="datetime-local" step={1} value={draft.to} onChange={(e) => { const value = e.target.value; setDraft((d) => ({ ...d, to: value })); }} />
        </label>
        {text('actorId', 'Actor id')}
        {select('action', 'Action')}
        {select('resourceType', 'Resource type')}
        {text('resourceId', 'Resource id')}
        {select('outcome', 'Outcome')}
        <label>
          Per page
          <select value={limit} onChange={(e) => { setLimit(e.target.value); setCursors([undefined]); }}>
            {['20', '50', '100'].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <div className="buttons">
          <button type="submit">Search</button>
          <button type="button" className="secondary" disabled={csv.busy} onClick={() => void downloadCsv()}>
            Download CSV
          </button>
        </div>
      </form>
      <ProblemAlert error={csv.error} />
      <ProblemAlert error={page.error} />
      {page.data && (
        <>
          <table className="audit">
            <caption>
              Page {cursors.length}, {page.data.items.length} events, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Actor</th>
                <th scope="col">Resource</th>
                <th scope="col">Status</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((e) => (
                <tr key={e.eventId}>
                  <td>{formatDateTime(e.occurredAt)}</td>
                  <td>{e.action}</td>
                  <td>
                    <span className={`badge badge-${e.outcome.toLowerCase()}`}>{e.outcome.toLowerCase()}</span>
                    {e.reason && <div className="muted">{e.reason}</div>}
                  </td>
                  <td>
                    {e.actor.role}
                    {e.actor.orgId ? ` · ${e.actor.orgId}` : ''}
                    <div className="muted">
                      <code>{e.actor.userId}</code>
                    </div>
                  </td>
                  <td>
                    {e.resource.type}
                    {e.resource.id && (
                      <div className="muted">
                        <code>{e.resource.id}</code>
                      </div>
                    )}
                  </td>
                  <td>{e.statusCode}</td>
                  <td>
                    <code>{e.correlationId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Audit pages">
            <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" className="secondary" disabled={!page.data.nextCursor} onClick={() => setCursors([...cursors, page.data!.nextCursor])}>
              Next page
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
