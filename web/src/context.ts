/** What every screen reads: the configuration, the typed API client and the signed-in user. */
import { createContext, useContext } from 'react';
import type { ApiClient, Me } from './api/client';
import type { ConsoleConfig } from './config';

export interface Session {
  readonly config: ConsoleConfig;
  readonly api: ApiClient;
  readonly me: Me;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionContext');
  return session;
}
