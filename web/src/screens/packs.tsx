/**
 * Packs: a factory packs versions of its evidence for one buyer; a buyer packs versions shared
 * with it. Each pack builds into one signed ZIP to download, and its owner can share it by link.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { unwrap, type Schemas } from '../api/client';
import { useSession } from '../context';
import { StatusBadge, formatBytes, formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { PendingPage, ProblemAlert } from '../ui/problem';
import { Link, navigate } from '../ui/router';

type Pack = Schemas['Pack'];
interface Choice {
  readonly evidenceId: string;
  readonly version: number;
  readonly label: string;
}

/** What the caller may pack: a factory its own versions, a buyer the versions fulfilled to it. */
function usePackChoices() {
  const { api, me } = useSession();
  return useLoad(async (): Promise<{ choices: Choice[]; buyers: string[] }> => {
    if (me.role === 'factory') {
      const [evidence, queue] = await Promise.all([
        unwrap(api.GET('/v1/evidence', { params: { query: { limit: '100' } } })),
        unwrap(api.GET('/v1/factory/requests', { params: { query: { limit: '100' } } })),
      ]);
      return {
        choices: evidence.items.flatMap((e) => e.versions.map((v) => ({ evidenceId: e.evidenceId, version: v.version, label: `${e.name} (${e.docType}) version ${v.version}` }))),
        buyers: [...new Set(queue.items.map((r) => r.buyerOrgId))],
      };
    }
    const requests = await unwrap(api.GET('/v1/requests', { params: { query: { limit: '100' } } }));
    const seen = new Map<string, Choice>();
    for (const request of requests.items) {
      for (const item of request.items) {
        if (!item.evidenceId || item.evidenceVersion === undefined) continue;
        const key = `${item.evidenceId}#${item.evidenceVersion}`;
        if (!seen.has(key)) seen.set(key, { evidenceId: item.evidenceId, version: item.evidenceVersion, label: `${item.docType} from ${request.factoryId} (${request.title}) version ${item.evidenceVersion}` });
      }
    }
    return { choices: [...seen.values()], buyers: [] };
  }, [me.role]);
}

export function PackList() {
  const { api, me } = useSession();
  const packs = useLoad(async () => (await unwrap(api.GET('/v1/packs', { params: { query: { limit: '100' } } }))).items, []);
  return (
    <section>
      <h1>Packs</h1>
      {(me.role === 'factory' || me.role === 'buyer') && <NewPack />}
      <h2>Your packs and packs shared with you</h2>
      <button type="button" className="secondary" onClick={packs.reload}>
        Refresh
      </button>
      <ProblemAlert error={packs.error} />
      {packs.data?.length === 0 && <p>No packs yet.</p>}
      {packs.data && packs.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Packs</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Owner</th>
              <th scope="col">Shared with</th>
              <th scope="col">Status</th>
              <th scope="col">Files</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {packs.data.map((p) => (
              <tr key={p.packId}>
                <td>
                  <Link to={`/packs/${encodeURIComponent(p.packId)}`}>{p.title}</Link>
                </td>
                <td>{p.ownerOrgId}</td>
                <td>{p.sharedWithOrgId ?? '–'}</td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td>{p.items.length}</td>
                <td>{formatDateTime(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewPack() {
  const { api, me } = useSession();
  const options = usePackChoices();
  const [title, setTitle] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [sharedWith, setSharedWith] = useState('');
  const command = useCommand();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await command.run(async () => {
      const items = (options.data?.choices ?? []).filter((c) => picked.has(`${c.evidenceId}#${c.version}`)).map(({ evidenceId, version }) => ({ evidenceId, version }));
      const pack = await unwrap(api.POST('/v1/packs', { body: { title, items, ...(me.role === 'factory' && { sharedWithOrgId: sharedWith }) } }));
      navigate(`/packs/${encodeURIComponent(pack.packId)}`);
    });
  };
  const toggle = (key: string) => setPicked((set) => (set.has(key) ? new Set([...set].filter((k) => k !== key)) : new Set([...set, key])));
  return (
    <details className="panel" open>
      <summary>New pack</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Pack title
          <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        {me.role === 'factory' && (
          <label>
            Share with buyer (organisation id)
            <input required list="pack-buyers" maxLength={100} value={sharedWith} onChange={(e) => setSharedWith(e.target.value)} />
            <datalist id="pack-buyers">
              {options.data?.buyers.map((b) => (
                <option key={b} value={b} />
              ))}
            </datalist>
          </label>
        )}
        <fieldset>
          <legend>Versions to pack</legend>
          <ProblemAlert error={options.error} />
          {options.data?.choices.length === 0 && <p>{me.role === 'factory' ? 'Your library is empty.' : 'Nothing has been shared with your organisation yet.'}</p>}
          {options.data?.choices.map((c) => {
            const key = `${c.evidenceId}#${c.version}`;
            return (
              <label key={key} className="inline">
                <input type="checkbox" checked={picked.has(key)} onChange={() => toggle(key)} /> {c.label}
              </label>
            );
          })}
        </fieldset>
        <ProblemAlert error={command.error} />
        <button type="submit" disabled={command.busy || picked.size === 0}>
          Create pack
        </button>
      </form>
    </details>
  );
}

export function PackPage({ packId }: { packId: string }) {
  const { api, me } = useSession();
  const loaded = useLoad(() => unwrap(api.GET('/v1/packs/{packId}', { params: { path: { packId } } })), [packId]);
  const pack: Pack | undefined = loaded.data;
  const { reload } = loaded;
  useEffect(() => {
    if (pack?.status !== 'PENDING') return;
    const timer = setInterval(reload, 1_000);
    return () => clearInterval(timer);
  }, [pack?.status, reload]);
  const download = useCommand();
  if (!pack) return <PendingPage title="Pack" error={loaded.error} loading={loaded.loading} />;
  const owner = me.orgId === pack.ownerOrgId;
  const start = () =>
    download.run(async () => {
      const { downloadUrl } = await unwrap(api.GET('/v1/packs/{packId}/download', { params: { path: { packId } } }));
      const link = document.createElement('a');
      link.href = downloadUrl;
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
    });
  return (
    <section>
      <h1>{pack.title}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={pack.status} />
          {pack.failureReason && ` ${pack.failureReason}`}
        </dd>
        <dt>Owner</dt>
        <dd>{pack.ownerOrgId}</dd>
        <dt>Shared with</dt>
        <dd>{pack.sharedWithOrgId ?? '–'}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(pack.createdAt)}</dd>
        <dt>ZIP</dt>
        <dd>{pack.size !== undefined ? `${formatBytes(pack.size)} · SHA-256 ${pack.sha256 ?? ''}` : 'building…'}</dd>
        <dt>Kept until</dt>
        <dd>{formatDateTime(pack.expiresAt)}</dd>
      </dl>
      <button type="button" disabled={pack.status !== 'READY' || download.busy} onClick={() => void start()}>
        Download ZIP
      </button>
      <ProblemAlert error={download.error} />
      <h2>Contents</h2>
      <table>
        <caption className="visually-hidden">Files in {pack.title}</caption>
        <thead>
          <tr>
            <th scope="col">Evidence</th>
            <th scope="col">Type</th>
            <th scope="col">Version</th>
            <th scope="col">File</th>
          </tr>
        </thead>
        <tbody>
          {pack.items.map((item) => (
            <tr key={`${item.evidenceId}#${item.version}`}>
              <td>{item.name}</td>
              <td>{item.docType}</td>
              <td>{item.version}</td>
              <td>{item.fileName ?? 'no file'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(owner || me.role === 'auditor' || me.role === 'admin') && <ShareLinks packId={pack.packId} canCreate={owner} />}
    </section>
  );
}

function ShareLinks({ packId, canCreate }: { packId: string; canCreate: boolean }) {
  const { api } = useSession();
  const links = useLoad(async () => (await unwrap(api.GET('/v1/packs/{packId}/links', { params: { path: { packId } } }))).items, [packId]);
  const [days, setDays] = useState('7');
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<{ url: string; expiresAt: string }>();
  const command = useCommand();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    await command.run(async () => {
      const link = await unwrap(api.POST('/v1/packs/{packId}/links', { params: { path: { packId } }, body: { expiresInDays: Number(days), ...(note && { note }) } }));
      setCreated({ url: link.url, expiresAt: link.expiresAt });
      setNote('');
      links.reload();
    });
  };
  return (
    <section aria-labelledby="links-heading">
      <h2 id="links-heading">Share links</h2>
      {created && (
        <div className="notice" role="status">
          <p>Copy this link now: it is shown only once. It works until {formatDateTime(created.expiresAt)}.</p>
          <p>
            <code data-testid="share-url">{created.url}</code>
          </p>
        </div>
      )}
      {canCreate && (
        <form className="stack" onSubmit={(e) => void create(e)}>
          <label>
            Valid for (days)
            <input type="number" min={1} max={30} required value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
          <label>
            Note (who it is for)
            <input maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" disabled={command.busy}>
            Create share link
          </button>
        </form>
      )}
      <ProblemAlert error={command.error} />
      <ProblemAlert error={links.error} />
      {links.data && links.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Share links</caption>
          <thead>
            <tr>
              <th scope="col">Note</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Opened</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {links.data.map((l) => (
              <tr key={l.linkId}>
                <td>{l.note ?? '–'}</td>
                <td>{formatDateTime(l.createdAt)}</td>
                <td>{formatDateTime(l.expiresAt)}</td>
                <td>
                  {l.accessCount} times{l.lastAccessAt ? `, last ${formatDateTime(l.lastAccessAt)}` : ''}
                </td>
                <td>
                  {l.revokedAt ? (
                    `revoked ${formatDateTime(l.revokedAt)}`
                  ) : canCreate ? (
                    <button
                      type="button"
                      className="danger"
                      disabled={command.busy}
                      onClick={() =>
                        void command.run(async () => {
                          await unwrap(api.POST('/v1/packs/{packId}/links/{linkId}/revoke', { params: { path: { packId, linkId: l.linkId } }, body: {} }));
                          links.reload();
                        })
                      }
                    >
                      Revoke link {l.note ?? l.linkId}
                    </button>
                  ) : (
                    'active'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
