/** The console's frame: who is signed in, the navigation of their role, and the screen for the path. */
import { useEffect, type ReactNode } from 'react';
import { signOut } from './auth/session';
import { SessionContext, type Session } from './context';
import { Link, match, navigate, useLocation } from './ui/router';
import { RequestList } from './screens/request-list';
import { NewRequest } from './screens/new-request';
import { RequestPage } from './screens/request-page';
import { EvidenceLibrary } from './screens/evidence-library';
import { EvidencePage } from './screens/evidence-page';
import { AuditSearch } from './screens/audit-search';
import { Admin } from './screens/admin';
import { Notifications } from './screens/notifications';
import { PackList, PackPage } from './screens/packs';

type Role = 'buyer' | 'factory' | 'auditor' | 'admin';

const NAVIGATION: Record<Role, readonly { to: string; label: string }[]> = {
  buyer: [
    { to: '/requests', label: 'Requests' },
    { to: '/requests/new', label: 'New request' },
    { to: '/packs', label: 'Packs' },
    { to: '/notifications', label: 'Notifications' },
  ],
  factory: [
    { to: '/queue', label: 'Queue' },
    { to: '/evidence', label: 'Evidence library' },
    { to: '/packs', label: 'Packs' },
    { to: '/notifications', label: 'Notifications' },
  ],
  auditor: [
    { to: '/audit', label: 'Audit log' },
    { to: '/requests', label: 'Requests' },
    { to: '/evidence', label: 'Evidence' },
    { to: '/packs', label: 'Packs' },
    { to: '/notifications', label: 'Notifications' },
  ],
  admin: [
    { to: '/admin', label: 'Administration' },
    { to: '/audit', label: 'Audit log' },
    { to: '/requests', label: 'Requests' },
    { to: '/evidence', label: 'Evidence' },
    { to: '/packs', label: 'Packs' },
    { to: '/notifications', label: 'Notifications' },
  ],
};

function roleOf(session: Session): Role {
  const role = session.me.role;
  return role === 'buyer' || role === 'factory' || role === 'auditor' ? role : 'admin';
}

function Screen({ path }: { path: string }): ReactNode {
  let params: Record<string, string> | undefined;
  if (path === '/requests') return <RequestList mode="requests" />;
  if (path === '/queue') return <RequestList mode="queue" />;
  if (path === '/requests/new') return <NewRequest />;
  if ((params = match('/requests/:requestId', path))) return <RequestPage requestId={params.requestId!} />;
  if (path === '/evidence') return <EvidenceLibrary />;
  if ((params = match('/evidence/:evidenceId', path))) return <EvidencePage evidenceId={params.evidenceId!} />;
  if (path === '/audit') return <AuditSearch />;
  if (path === '/admin') return <Admin />;
  if (path === '/notifications') return <Notifications />;
  if (path === '/packs') return <PackList />;
  if ((params = match('/packs/:packId', path))) return <PackPage packId={params.packId!} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>The console has no page at {path}.</p>
    </section>
  );
}

export function App({ session }: { session: Session }) {
  const { path } = useLocation();
  const role = roleOf(session);
  const home = NAVIGATION[role][0]!.to;
  useEffect(() => {
    if (path === '/') navigate(home, true);
  }, [path, home]);
  useEffect(() => {
    const heading = document.querySelector('main h1');
    document.title = `${heading?.textContent ?? 'Evidence requests'} · Evidence requests`;
  });
  const { me } = session;
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Evidence requests</span>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION[role].map((item) => (
              <li key={item.to}>
                <Link to={item.to}>{item.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="signed-in-as">
            {me.username} · {me.role}
            {me.orgId ? ` · ${me.orgId}` : ''}
          </span>
          <button type="button" className="secondary" onClick={() => void signOut(session.config)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        {path === '/' ? null : <Screen path={path} />}
      </main>
    </SessionContext.Provider>
  );
}

export function SignedOut({ onSignIn }: { onSignIn: () => void }) {
  return (
    <main className="signed-out">
      <h1>Evidence requests</h1>
      <p>Buyers ask factories for compliance evidence; factories answer from their evidence library; every step is audited.</p>
      <button type="button" onClick={onSignIn}>
        Sign in
      </button>
    </main>
  );
}
