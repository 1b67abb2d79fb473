/** Start: read /config.json, finish a sign-in arriving at /callback, load the user, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, SignedOut } from './app';
import { createApiClient, unwrap } from './api/client';
import { CALLBACK_PATH, completeSignIn, isSignedIn, startSignIn } from './auth/session';
import { loadConfig } from './config';
import { ProblemAlert } from './ui/problem';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

async function start(): Promise<void> {
  const config = await loadConfig();
  if (location.pathname === CALLBACK_PATH) {
    const returnTo = await completeSignIn(config);
    history.replaceState(null, '', returnTo);
  }
  if (!isSignedIn()) {
    // The start page offers sign-in (it is where sign-out lands); any deeper link signs in at once.
    if (location.pathname === '/') {
      root.render(<SignedOut onSignIn={() => void startSignIn(config, '/')} />);
      return;
    }
    await startSignIn(config);
  }
  const api = createApiClient(config);
  const me = await unwrap(api.GET('/v1/me'));
  root.render(
    <StrictMode>
      <App session={{ config, api, me }} />
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  root.render(
    <main className="signed-out">
      <h1>Evidence requests</h1>
      <ProblemAlert error={error} />
      <p>
        <a href="/">Start again</a>
      </p>
    </main>,
  );
});
