/** Every refusal or failure the API answers, shown with its message, the fields at fault and the request id. */
import { ApiProblem } from '../api/client';

export function ProblemAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : undefined;
  return (
    <div role="alert" className="problem">
      <p className="problem-title">
        {problem ? (
          <>
            {problem.status > 0 && <span className="problem-status">{problem.status}</span>} {problem.title}
          </>
        ) : (
          'Something went wrong'
        )}
      </p>
      {problem?.detail && <p>{problem.detail}</p>}
      {!problem && <p>{error instanceof Error ? error.message : String(error)}</p>}
      {problem && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem?.requestId && (
        <p className="problem-id">
          Request id: <code data-testid="request-id">{problem.requestId}</code>
        </p>
      )}
    </div>
  );
}

/** A page whose resource has not arrived: its heading, and the problem or a loading note. */
export function PendingPage({ title, error, loading }: { title: string; error: unknown; loading: boolean }) {
  return (
    <section>
      <h1>{title}</h1>
      <ProblemAlert error={error} />
      {loading && <p aria-live="polite">Loading…</p>}
    </section>
  );
}
