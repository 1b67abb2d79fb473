/** One evidence document: every version with its file, expiry and downloads; a factory adds versions with files. */
import { useEffect, useState, type FormEvent } from 'react';
import { unwrap, type Evidence, type EvidenceVersion } from '../api/client';
import { useSession } from '../context';
import { ExpiryBadge, StatusBadge, formatBytes, formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { PendingPage, ProblemAlert } from '../ui/problem';
import { uploadFile } from '../upload';
import { DownloadButton } from './download-button';
import { FileField, UploadProgress, useVersionDraft, VersionFields, type ChosenFile } from './file-field';

/** While a file waits for the verifier, the page looks again this often. */
const POLL_MS = 1_000;

export function EvidencePage({ evidenceId }: { evidenceId: string }) {
  const { api, me } = useSession();
  const loaded = useLoad(() => unwrap(api.GET('/v1/evidence/{evidenceId}', { params: { path: { evidenceId } } })), [evidenceId]);
  const evidence = loaded.data;
  const waiting = evidence?.versions.some((v) => v.file?.status === 'PENDING_UPLOAD') ?? false;
  const { reload } = loaded;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, reload]);
  if (!evidence) {
    return <PendingPage title="Evidence" error={loaded.error} loading={loaded.loading} />;
  }
  const owner = me.role === 'factory' && me.orgId === evidence.factoryId;
  return (
    <section>
      <h1>{evidence.name}</h1>
      <dl className="facts">
        <dt>Document type</dt>
        <dd>{evidence.docType}</dd>
        <dt>Factory</dt>
        <dd>{evidence.factoryId}</dd>
        <dt>Latest version</dt>
        <dd>{evidence.latestVersion}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(evidence.createdAt)}</dd>
      </dl>
      {evidence.notes && <p>{evidence.notes}</p>}
      <h2>Versions</h2>
      <table>
        <caption className="visually-hidden">Versions of {evidence.name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">Expiry</th>
            <th scope="col">File</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {[...evidence.versions].reverse().map((version) => (
            <VersionRow key={version.version} evidence={evidence} version={version} owner={owner} onChanged={reload} />
          ))}
        </tbody>
      </table>
      {owner && <NewVersion evidenceId={evidence.evidenceId} onCreated={reload} />}
    </section>
  );
}

function VersionRow({ evidence, version, owner, onChanged }: { evidence: Evidence; version: EvidenceVersion; owner: boolean; onChanged: () => void }) {
  const file = version.file;
  return (
    <tr>
      <td>{version.version}</td>
      <td>
        {formatDateTime(version.createdAt)}
        {version.notes && <div className="muted">{version.notes}</div>}
      </td>
      <td>
        <ExpiryBadge expiresAt={version.expiresAt} />
      </td>
      <td>
        {file ? (
          <>
            {file.fileName} · {formatBytes(file.size)}
            <div className="muted">
              SHA-256 <code title={file.sha256}>{file.sha256.slice(0, 12)}…</code>
            </div>
          </>
        ) : (
          'no file'
        )}
      </td>
      <td>{file ? <StatusBadge status={file.status} /> : '–'}</td>
      <td>
        {file?.status === 'AVAILABLE' && <DownloadButton evidenceId={evidence.evidenceId} version={version.version} label="Download" />}
        {file?.status === 'PENDING_UPLOAD' && owner && <RetryUpload evidenceId={evidence.evidenceId} version={version} onDone={onChanged} />}
      </td>
    </tr>
  );
}

/** A file whose upload never arrived: a fresh upload URL for the same declared file. */
function RetryUpload({ evidenceId, version, onDone }: { evidenceId: string; version: EvidenceVersion; onDone: () => void }) {
  const { api } = useSession();
  const [chosen, setChosen] = useState<ChosenFile>();
  const [progress, setProgress] = useState<number>();
  const command = useCommand();
  const id = `retry-${version.version}`;
  return (
    <details>
      <summary>Upload the file again</summary>
      <FileField id={id} onChange={setChosen} />
      <UploadProgress fraction={progress} label={`Upload of version ${version.version}`} />
      <ProblemAlert error={command.error} />
      <button
        type="button"
        disabled={!chosen || command.busy}
        onClick={() =>
          void command.run(async () => {
            if (!chosen) return;
            if (chosen.digest.hex !== version.file?.sha256 || chosen.file.size !== version.file.size) {
              throw new Error('This is not the file declared for this version (its size or SHA-256 differs); add a new version for another file.');
            }
            const { uploadUrl } = await unwrap(
              api.POST('/v1/evidence/{evidenceId}/versions/{version}/upload-url', { params: { path: { evidenceId, version: String(version.version) } }, body: {} }),
            );
            setProgress(0);
            await uploadFile(uploadUrl, chosen.file, version.file.contentType, chosen.digest, setProgress);
            onDone();
          })
        }
      >
        Upload
      </button>
    </details>
  );
}

function NewVersion({ evidenceId, onCreated }: { evidenceId: string; onCreated: () => void }) {
  const { api } = useSession();
  const draft = useVersionDraft();
  const command = useCommand();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await command.run(async () => {
      const created = await unwrap(api.POST('/v1/evidence/{evidenceId}/versions', { params: { path: { evidenceId } }, body: draft.fields() }));
      await draft.upload(created.uploadUrl);
    });
    onCreated();
    if (ok) draft.reset();
  };
  return (
    <details className="panel">
      <summary>Add a version</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <VersionFields id="new-version" draft={draft} notesLabel="Version notes" expiresLabel="Version expires on" error={command.error} busy={command.busy} submitLabel="Add version" />
      </form>
    </details>
  );
}
