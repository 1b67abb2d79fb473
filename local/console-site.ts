/**
 * The built web console (web/dist) served by the local runtime at `/`, same-origin with the
 * API and the sign-in endpoints, with the headers CloudFront gives it in AWS; `/config.json`
 * tells the console where it signs in. Paths without a file are the console's own routes and
 * get its page.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_ASSET_CACHE, CONSOLE_ASSET_PREFIX, CONSOLE_PAGE_CACHE, consoleContentSecurityPolicy } from '../lib/console-security.js';
import type { LocalResponse } from './problem.js';

/** Where `npm run build:web` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface ConsoleSiteOptions {
  /** The built console. */
  readonly dir: string;
  /** Answered as `/config.json`. */
  readonly config: Readonly<Record<string, string>>;
  /** Origins the console may call besides its own (the local S3 store for uploads). */
  readonly connectSources: readonly string[];
}

/** Content types of the console's files, by extension (the local server and the upload to S3). */
export const CONSOLE_CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function consoleBuilt(dir = CONSOLE_DIST): boolean {
  return existsSync(join(dir, 'index.html'));
}

export class ConsoleSite {
  private readonly headers: Record<string, string>;

  constructor(private readonly options: ConsoleSiteOptions) {
    this.headers = {
      'Content-Security-Policy': consoleContentSecurityPolicy({ connectSources: options.connectSources }),
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
    };
  }

  /** The answer for a GET or HEAD of `path`, or undefined when the console does not serve other methods. */
  async answer(method: string, path: string): Promise<LocalResponse | undefined> {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path === '/config.json') {
      return { statusCode: 200, headers: { ...this.headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(this.options.config) };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return this.notFound();
    }
    const file = normalize(join(this.options.dir, decoded));
    if (!file.startsWith(this.options.dir + sep) || decoded.includes('\0')) return this.notFound();
    const body = await readFile(file).catch(() => undefined);
    if (body) {
      const cache = path.startsWith(CONSOLE_ASSET_PREFIX) ? CONSOLE_ASSET_CACHE : CONSOLE_PAGE_CACHE;
      return { statusCode: 200, headers: { ...this.headers, 'Content-Type': CONSOLE_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache }, body };
    }
    // A missing hashed file is a 404; any other path is one of the console's screens.
    if (path.startsWith(CONSOLE_ASSET_PREFIX) || extname(path) !== '') return this.notFound();
    const page = await readFile(join(this.options.dir, 'index.html'));
    return { statusCode: 200, headers: { ...this.headers, 'Content-Type': CONSOLE_CONTENT_TYPES['.html']!, 'Cache-Control': CONSOLE_PAGE_CACHE }, body: page };
  }

  private notFound(): LocalResponse {
    return { statusCode: 404, headers: { ...this.headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  }
}

/** Builds the console into web/dist with Vite (what `npm run build:web` does). */
export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
