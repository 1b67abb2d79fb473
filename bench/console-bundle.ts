/**
 * The web console's first-load weight: a fresh Vite build of web/, then every file a first
 * visit fetches (the page, the entry chunk with its static imports, their CSS), gzipped.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The budget of the web console issue: under 250 KB gzipped for the first load. */
export const CONSOLE_FIRST_LOAD_BUDGET_KB = 250;

interface ManifestChunk {
  readonly file: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
  readonly css?: readonly string[];
}

export interface ConsoleBundleFigures {
  readonly files: readonly { readonly file: string; readonly bytes: number; readonly gzipBytes: number }[];
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** The files a first load fetches, from Vite's manifest: the entries and what they import statically. */
export function firstLoadFiles(manifest: Record<string, ManifestChunk>): string[] {
  const files = new Set<string>(['index.html']);
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return [...files];
}

export async function measureConsoleBundle(): Promise<ConsoleBundleFigures> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'console-bench-'));
  try {
    await build({
      configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)),
      build: { outDir, emptyOutDir: true },
      logLevel: 'silent',
    });
    const manifest = JSON.parse(await readFile(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
    const files = await Promise.all(
      firstLoadFiles(manifest).map(async (file) => {
        const content = await readFile(join(outDir, file));
        return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
      }),
    );
    return { files, bytes: files.reduce((n, f) => n + f.bytes, 0), gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0) };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
