/** Asks the API for a presigned download of one version's file and starts it. */
import { unwrap } from '../api/client';
import { useSession } from '../context';
import { useCommand } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';

export function DownloadButton({ evidenceId, version, label = 'Download file' }: { evidenceId: string; version: number; label?: string }) {
  const { api } = useSession();
  const command = useCommand();
  const download = () =>
    command.run(async () => {
      const file = await unwrap(api.GET('/v1/evidence/{evidenceId}/versions/{version}/file', { params: { path: { evidenceId, version: String(version) } } }));
      const link = document.createElement('a');
      link.href = file.downloadUrl;
      link.download = file.fileName;
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
    });
  return (
    <>
      <button type="button" className="secondary" disabled={command.busy} onClick={() => void download()}>
        {label} (version {version})
      </button>
      <ProblemAlert error={command.error} />
    </>
  );
}
