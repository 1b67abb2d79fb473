/**
 * One request: its items with their evidence and files, the buyer's accept / reject with a
 * comment and cancel, the factory's fulfilment from its library, and the history as a timeline.
 */
import { useState } from 'react';
import { unwrap, type AuditEvent, type Request, type RequestItem } from '../api/client';
import { useSession } from '../context';
import { StatusBadge, formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { PendingPage, ProblemAlert } from '../ui/problem';
import { Link } from '../ui/router';
import { Comments } from './comments';
import { DownloadButton } from './download-button';
import { FulfilForm } from './fulfil-form';

export function RequestPage({ requestId }: { requestId: string }) {
  const { api, me } = useSession();
  const loaded = useLoad(() => unwrap(api.GET('/v1/requests/{requestId}', { params: { path: { requestId } } })), [requestId]);
  const [version, setVersion] = useState(0);
  const history = useLoad(async () => {
    const answer = await unwrap(api.GET('/v1/requests/{requestId}/history', { params: { path: { requestId }, query: { limit: '100' } } }));
    return answer.items;
  }, [requestId, version]);
  const request = loaded.data;
  const changed = () => {
    loaded.reload();
    // History is served from an index and may lag by a moment (API.md, Consistency).
    setTimeout(() => setVersion((n) => n + 1), 1_000);
  };
  if (!request) {
    return <PendingPage title="Request" error={loaded.error} loading={loaded.loading} />;
  }
  const open = request.status !== 'CANCELLED' && request.status !== 'COMPLETED';
  return (
    <section>
      <h1>{request.title}</h1>
      <button type="button" className="secondary" onClick={changed}>
        Refresh
      </button>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={request.status} />
        </dd>
        <dt>Buyer</dt>
        <dd>{request.buyerOrgId}</dd>
        <dt>Factory</dt>
        <dd>{request.factoryId}</dd>
        <dt>Due</dt>
        <dd>{request.dueDate ?? '–'}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(request.createdAt)}</dd>
      </dl>
      {request.description && <p className="description">{request.description}</p>}
      {request.cancelledAt && (
        <p className="cancelled">
          Cancelled {formatDateTime(request.cancelledAt)}
          {request.cancelReason ? `: ${request.cancelReason}` : ''}
        </p>
      )}
      <h2>Items</h2>
      <ul className="items">
        {request.items.map((item) => (
          <ItemCard key={item.itemId} request={request} item={item} canFulfil={me.role === 'factory' && open} canReview={me.role === 'buyer'} onChanged={changed} />
        ))}
      </ul>
      {me.role === 'buyer' && (request.status === 'OPEN' || request.status === 'IN_PROGRESS') && <CancelForm request={request} onChanged={changed} />}
      <Comments request={request} />
      <h2>History</h2>
      <ProblemAlert error={history.error} />
      <Timeline events={history.data ?? []} />
    </section>
  );
}

function ItemCard({ request, item, canFulfil, canReview, onChanged }: { request: Request; item: RequestItem; canFulfil: boolean; canReview: boolean; onChanged: () => void }) {
  const { api, me } = useSession();
  const [comment, setComment] = useState('');
  const review = useCommand();
  const decide = (decision: 'ACCEPT' | 'REJECT') =>
    review.run(async () => {
      await unwrap(
        api.POST('/v1/requests/{requestId}/items/{itemId}/review', {
          params: { path: { requestId: request.requestId, itemId: item.itemId } },
          body: { decision, ...(comment && { comment }) },
        }),
      );
      setComment('');
      onChanged();
    });
  const fulfillable = item.status === 'PENDING' || item.status === 'REJECTED';
  return (
    <li className="item" aria-label={`Item ${item.docType}`}>
      <div className="item-head">
        <h3>{item.docType}</h3>
        <StatusBadge status={item.status} />
      </div>
      {item.note && <p>{item.note}</p>}
      {item.evidenceId && (
        <p>
          Evidence{' '}
          {me.role === 'buyer' ? (
            <span>{item.evidenceId}</span>
          ) : (
            <Link to={`/evidence/${encodeURIComponent(item.evidenceId)}`}>{item.evidenceId}</Link>
          )}{' '}
          version {item.evidenceVersion} · fulfilled {formatDateTime(item.fulfilledAt)}{' '}
          {item.evidenceVersion !== undefined && <DownloadButton evidenceId={item.evidenceId} version={item.evidenceVersion} />}
        </p>
      )}
      {item.reviews && item.reviews.length > 0 ? (
        <ol className="reviews" aria-label={`Reviews of ${item.docType}`}>
          {item.reviews.map((review) => (
            <li key={`${review.at}-${review.by}`}>
              {review.decision === 'ACCEPT' ? 'Accepted' : 'Rejected'} {formatDateTime(review.at)}
              {review.comment && <span className="review-comment"> · Review comment: {review.comment}</span>}
            </li>
          ))}
        </ol>
      ) : (
        item.reviewComment && <p className="review-comment">Review comment: {item.reviewComment}</p>
      )}
      {canReview && item.status === 'FULFILLED' && (
        <div className="review">
          <label>
            Comment on {item.docType}
            <textarea maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <div className="buttons">
            <button type="button" disabled={review.busy} onClick={() => void decide('ACCEPT')}>
              Accept {item.docType}
            </button>
            <button type="button" className="danger" disabled={review.busy} onClick={() => void decide('REJECT')}>
              Reject {item.docType}
            </button>
          </div>
        </div>
      )}
      <ProblemAlert error={review.error} />
      {canFulfil && fulfillable && <FulfilForm request={request} item={item} onFulfilled={onChanged} />}
    </li>
  );
}

function CancelForm({ request, onChanged }: { request: Request; onChanged: () => void }) {
  const { api } = useSession();
  const [reason, setReason] = useState('');
  const command = useCommand();
  return (
    <details className="cancel">
      <summary>Cancel this request</summary>
      <label>
        Reason
        <textarea maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <ProblemAlert error={command.error} />
      <button
        type="button"
        className="danger"
        disabled={command.busy}
        onClick={() =>
          void command.run(async () => {
            await unwrap(api.POST('/v1/requests/{requestId}/cancel', { params: { path: { requestId: request.requestId } }, body: { ...(reason && { reason }) } }));
            onChanged();
          })
        }
      >
        Cancel request
      </button>
    </details>
  );
}

const ACTION_LABELS: Partial<Record<AuditEvent['action'], string>> = {
  'request.create': 'created the request',
  'request.read': 'opened the request',
  'request.item.fulfill': 'fulfilled an item',
  'request.item.review': 'reviewed an item',
  'request.cancel': 'cancelled the request',
  'request.history.read': 'read the history',
  'request.comment.create': 'commented',
  'request.comment.list': 'read the comments',
};

const READS = new Set<AuditEvent['action']>(['request.read', 'request.history.read', 'request.comment.list']);

/** Oldest first; reads are hidden unless asked for, so the changes stand out. */
export function Timeline({ events }: { events: readonly AuditEvent[] }) {
  const [withReads, setWithReads] = useState(false);
  const shown = [...events].reverse().filter((e) => withReads || !READS.has(e.action));
  return (
    <>
    <label className="inline">
      <input type="checkbox" checked={withReads} onChange={(e) => setWithReads(e.target.checked)} /> Show reads too
    </label>
    {shown.length === 0 && <p>No events yet.</p>}
    <ol className="timeline">
      {shown.map((event) => (
        <li key={event.eventId} className={`outcome-${event.outcome.toLowerCase()}`}>
          <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>{' '}
          <span className="actor">
            {event.actor.role}
            {event.actor.orgId ? ` (${event.actor.orgId})` : ''}
          </span>{' '}
          {ACTION_LABELS[event.action] ?? event.action}
          {event.outcome !== 'SUCCESS' && <span className="badge badge-expired">{event.outcome.toLowerCase()}</span>}
          {event.reason && <span className="reason"> · {event.reason}</span>}
        </li>
      ))}
    </ol>
    </>
  );
}
