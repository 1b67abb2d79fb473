/**
 * Where the console signs in and which API it calls, read at start from `/config.json` beside
 * the static files: the local runtime answers it from its own settings, in AWS the deployment
 * writes it from the stack's outputs. The same build runs in both.
 */
export interface ConsoleConfig {
  /** Base URL of the authorization server: `/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`, `/logout` hang below it ('' = same origin). */
  readonly authBase: string;
  readonly clientId: string;
  /** Space-separated OAuth scopes the console asks for. */
  readonly scopes: string;
  /** Base URL of the API ('' = same origin). */
  readonly apiBase: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  for (const key of ['authBase', 'clientId', 'scopes', 'apiBase'] as const) {
    if (typeof config[key] !== 'string') throw new Error(`/config.json lacks ${key}`);
  }
  return config as ConsoleConfig;
}
