/** A factory fulfils an item by picking one of its evidence versions of the item's document type. */
import { useState } from 'react';
import { unwrap, type Evidence, type EvidenceVersion, type Request, type RequestItem } from '../api/client';
import { useSession } from '../context';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';
import { Link } from '../ui/router';

/** A version can fulfil when it has not expired and its file, if any, was verified. */
export function usable(version: EvidenceVersion, now = Date.now()): boolean {
  return (!version.expiresAt || Date.parse(version.expiresAt) > now) && (!version.file || version.file.status === 'AVAILABLE');
}

function describe(version: EvidenceVersion): string {
  const parts = [`version ${version.version}`];
  if (version.file) parts.push(version.file.fileName, version.file.status.replaceAll('_', ' ').toLowerCase());
  if (version.expiresAt) parts.push(`${Date.parse(version.expiresAt) > Date.now() ? 'expires' : 'expired'} ${version.expiresAt.slice(0, 10)}`);
  return parts.join(' · ');
}

export function FulfilForm({ request, item, onFulfilled }: { request: Request; item: RequestItem; onFulfilled: () => void }) {
  const { api } = useSession();
  const library = useLoad(async () => (await unwrap(api.GET('/v1/evidence', { params: { query: { docType: item.docType, limit: '100' } } }))).items, [item.docType]);
  const [evidenceId, setEvidenceId] = useState('');
  const [version, setVersion] = useState('');
  const command = useCommand();
  const chosen: Evidence | undefined = library.data?.find((e) => e.evidenceId === evidenceId);
  const pick = (id: string) => {
    setEvidenceId(id);
    const evidence = library.data?.find((e) => e.evidenceId === id);
    const best = evidence?.versions.filter((v) => usable(v)).sort((a, b) => b.version - a.version)[0];
    setVersion(best ? String(best.version) : '');
  };
  const fulfil = () =>
    command.run(async () => {
      await unwrap(
        api.POST('/v1/requests/{requestId}/items/{itemId}/fulfill', {
          params: { path: { requestId: request.requestId, itemId: item.itemId } },
          body: { evidenceId, ...(version && { version: Number(version) }) },
        }),
      );
      onFulfilled();
    });
  return (
    <div className="fulfil">
      <ProblemAlert error={library.error} />
      {library.data && library.data.length === 0 ? (
        <p>
          No evidence of type {item.docType} in your library yet. <Link to="/evidence">Add it to the library</Link>.
        </p>
      ) : (
        <>
          <label>
            Evidence for {item.docType}
            <select value={evidenceId} onChange={(e) => pick(e.target.value)}>
              <option value="">Choose evidence…</option>
              {library.data?.map((e) => (
                <option key={e.evidenceId} value={e.evidenceId}>
                  {e.name} (latest version {e.latestVersion})
                </option>
              ))}
            </select>
          </label>
          {chosen && (
            <label>
              Version for {item.docType}
              <select value={version} onChange={(e) => setVersion(e.target.value)}>
                <option value="">Choose a version…</option>
                {[...chosen.versions].reverse().map((v) => (
                  <option key={v.version} value={v.version}>
                    {describe(v)}
                    {usable(v) ? '' : ' (cannot fulfil)'}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" disabled={!evidenceId || command.busy} onClick={() => void fulfil()}>
            Fulfil {item.docType}
          </button>
        </>
      )}
      <ProblemAlert error={command.error} />
    </div>
  );
}
