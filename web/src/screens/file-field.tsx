/** Choosing a file for a version: its type, size and SHA-256 (computed here), and the upload's progress. */
import { useState } from 'react';
import { useContentTypes } from '../api/document';
import { contentTypeOf, sha256, uploadFile, type ContentType, type Digest } from '../upload';
import { formatBytes } from '../ui/format';
import { ProblemAlert } from '../ui/problem';

export interface ChosenFile {
  readonly file: File;
  readonly contentType: ContentType;
  readonly digest: Digest;
}

export function FileField({ id, onChange }: { id: string; onChange: (chosen: ChosenFile | undefined) => void }) {
  const [file, setFile] = useState<File>();
  const [contentType, setContentType] = useState<ContentType | ''>('');
  const [digest, setDigest] = useState<Digest>();
  const [hashing, setHashing] = useState(false);
  const contentTypes = useContentTypes();
  const choose = async (picked: File | undefined) => {
    setFile(picked);
    setDigest(undefined);
    onChange(undefined);
    if (!picked) return;
    const type = contentTypeOf(picked, contentTypes) ?? '';
    setContentType(type);
    setHashing(true);
    const computed = await sha256(picked);
    setHashing(false);
    setDigest(computed);
    if (type) onChange({ file: picked, contentType: type, digest: computed });
  };
  const changeType = (type: ContentType | '') => {
    setContentType(type);
    onChange(file && digest && type ? { file, contentType: type, digest } : undefined);
  };
  return (
    <div className="file-field">
      <label htmlFor={`${id}-file`}>File</label>
      <input id={`${id}-file`} type="file" onChange={(e) => void choose(e.target.files?.[0])} />
      {file && (
        <>
          <label>
            File type
            <select value={contentType} onChange={(e) => changeType(e.target.value as ContentType | '')} required>
              <option value="">Choose the type…</option>
              {contentTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </label>
          <p className="file-facts" aria-live="polite">
            {formatBytes(file.size)} · SHA-256 {hashing ? 'computing…' : <code data-testid="sha256">{digest?.hex}</code>}
          </p>
        </>
      )}
    </div>
  );
}

export function UploadProgress({ fraction, label }: { fraction: number | undefined; label: string }) {
  if (fraction === undefined) return null;
  return (
    <label className="progress">
      {label}
      <progress max={1} value={fraction}>
        {Math.round(fraction * 100)}%
      </progress>
      <span>{Math.round(fraction * 100)}%</span>
    </label>
  );
}

/** What a new version carries (notes, expiry, a file) and its upload, for a new document and a new version alike. */
export function useVersionDraft() {
  const [notes, setNotes] = useState('');
  const [expires, setExpires] = useState('');
  const [chosen, setChosen] = useState<ChosenFile>();
  const [progress, setProgress] = useState<number>();
  const expiresAt = expires ? `${expires}T23:59:59.000Z` : undefined;
  return {
    notes,
    setNotes,
    expires,
    setExpires,
    setChosen,
    progress,
    /** The version's fields of the request body. */
    fields: () => ({
      ...(notes && { notes }),
      ...(expiresAt && { expiresAt }),
      ...(chosen && { file: { fileName: chosen.file.name, contentType: chosen.contentType, size: chosen.file.size, sha256: chosen.digest.hex } }),
    }),
    /** PUTs the chosen file to the URL the API answered. */
    upload: async (uploadUrl: string | undefined) => {
      if (!chosen || !uploadUrl) return;
      setProgress(0);
      await uploadFile(uploadUrl, chosen.file, chosen.contentType, chosen.digest, setProgress);
    },
    reset: () => {
      setNotes('');
      setExpires('');
    },
  };
}

export type VersionDraft = ReturnType<typeof useVersionDraft>;

export function VersionFields({ id, draft, notesLabel, expiresLabel, error, busy, submitLabel }: { id: string; draft: VersionDraft; notesLabel: string; expiresLabel: string; error: unknown; busy: boolean; submitLabel: string }) {
  return (
    <>
      <label>
        {notesLabel}
        <textarea maxLength={1000} value={draft.notes} onChange={(e) => draft.setNotes(e.target.value)} />
      </label>
      <label>
        {expiresLabel}
        <input type="date" value={draft.expires} onChange={(e) => draft.setExpires(e.target.value)} />
      </label>
      <FileField id={id} onChange={draft.setChosen} />
      <UploadProgress fraction={draft.progress} label="Upload" />
      <ProblemAlert error={error} />
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </>
  );
}
