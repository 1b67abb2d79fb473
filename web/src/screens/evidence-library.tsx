/** A factory's evidence library (auditor, admin: every factory's): documents, latest versions, expiry; and creating one. */
import { useState, type FormEvent } from 'react';
import { unwrap, type Evidence } from '../api/client';
import { useSession } from '../context';
import { ExpiryBadge, StatusBadge, formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';
import { Link, navigate } from '../ui/router';
import { useVersionDraft, VersionFields } from './file-field';

export function latest(evidence: Evidence) {
  return evidence.versions.find((v) => v.version === evidence.latestVersion) ?? evidence.versions[evidence.versions.length - 1];
}

export function EvidenceLibrary() {
  const { api, me } = useSession();
  const [docType, setDocType] = useState('');
  const loaded = useLoad(async () => (await unwrap(api.GET('/v1/evidence', { params: { query: { limit: '100', ...(docType && { docType }) } } }))).items, [docType]);
  return (
    <section>
      <h1>{me.role === 'factory' ? 'Evidence library' : 'Evidence'}</h1>
      {me.role === 'factory' && <CreateEvidence />}
      <h2>Documents</h2>
      <label className="inline">
        Filter by document type
        <input value={docType} onChange={(e) => setDocType(e.target.value)} placeholder="e.g. audit-report" />
      </label>
      <ProblemAlert error={loaded.error} />
      {loaded.data && loaded.data.length === 0 && <p>No evidence yet.</p>}
      {loaded.data && loaded.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Evidence documents</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              {me.role !== 'factory' && <th scope="col">Factory</th>}
              <th scope="col">Latest version</th>
              <th scope="col">Expiry</th>
              <th scope="col">File</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.map((evidence) => {
              const version = latest(evidence);
              return (
                <tr key={evidence.evidenceId}>
                  <td>
                    <Link to={`/evidence/${encodeURIComponent(evidence.evidenceId)}`}>{evidence.name}</Link>
                  </td>
                  <td>{evidence.docType}</td>
                  {me.role !== 'factory' && <td>{evidence.factoryId}</td>}
                  <td>{evidence.latestVersion}</td>
                  <td>
                    <ExpiryBadge expiresAt={version?.expiresAt} />
                  </td>
                  <td>{version?.file ? <StatusBadge status={version.file.status} /> : 'no file'}</td>
                  <td>{formatDateTime(evidence.updatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateEvidence() {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [docType, setDocType] = useState('');
  const draft = useVersionDraft();
  const command = useCommand();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await command.run(async () => {
      const created = await unwrap(api.POST('/v1/evidence', { body: { name, docType, ...draft.fields() } }));
      await draft.upload(created.uploadUrl);
      navigate(`/evidence/${encodeURIComponent(created.evidenceId)}`);
    });
  };
  return (
    <details className="panel" open>
      <summary>Add evidence</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Document type
          <input required maxLength={100} value={docType} onChange={(e) => setDocType(e.target.value)} placeholder="e.g. audit-report" />
        </label>
        <VersionFields id="new-evidence" draft={draft} notesLabel="Notes" expiresLabel="Expires on" error={command.error} busy={command.busy} submitLabel="Create evidence" />
      </form>
    </details>
  );
}
