/**
 * The web console's security headers, one definition for CloudFront's response headers
 * policy (lib/web-console.ts) and the local runtime's static files (local/console-site.ts).
 * Pure data, no CDK import, like stages.ts.
 */

export interface ConsolePolicyInput {
  /** Origins the console calls besides its own: the file store for uploads, the sign-in domain for tokens. */
  readonly connectSources: readonly string[];
}

/**
 * Strict: scripts and styles only from the console's own files (no inline code, no eval), no
 * frames of it anywhere, no plugins, no base-URI or form-target tricks.
 */
export function consoleContentSecurityPolicy({ connectSources }: ConsolePolicyInput): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Hashed build assets never change under their name; the page itself is checked on every load. */
export const CONSOLE_ASSET_CACHE = 'public, max-age=31536000, immutable';
export const CONSOLE_PAGE_CACHE = 'no-cache';
/** Where Vite puts hashed files. */
export const CONSOLE_ASSET_PREFIX = '/assets/';
