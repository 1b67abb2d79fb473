/** Signs a demo user in through the local runtime's `/_local/token`, as a client would. */
import { expect } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';

export async function signIn(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEFAULT_DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
