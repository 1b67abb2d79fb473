/**
 * The console's build: static files in web/dist, served by `npm start` at `/` and by
 * CloudFront in AWS. `npm run dev:web` serves the sources with Vite and sends the API and
 * sign-in paths to the local runtime, so the console stays same-origin with them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const proxied = ['/v1', '/oauth2', '/login', '/logout', '/_local', '/config.json'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The manifest lets the bench and the tests find the first-load files.
    manifest: true,
    sourcemap: false,
  },
  server: {
    host: 'localhost',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
});
