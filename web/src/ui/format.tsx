/** Dates, statuses and badges, the same on every screen. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase().replaceAll('_', '-')}`}>{status.replaceAll('_', ' ').toLowerCase()}</span>;
}

const DAY_MS = 86_400_000;

/** Expired, expiring within 30 days, or valid until its date. */
export function ExpiryBadge({ expiresAt, now = Date.now() }: { expiresAt?: string | undefined; now?: number }) {
  if (!expiresAt) return <span className="badge badge-neutral">no expiry</span>;
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return <span className="badge badge-expired">expired {expiresAt.slice(0, 10)}</span>;
  if (left <= 30 * DAY_MS) return <span className="badge badge-expiring">expires in {Math.ceil(left / DAY_MS)} days</span>;
  return <span className="badge badge-valid">valid until {expiresAt.slice(0, 10)}</span>;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 ** 2) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 ** 2).toFixed(1)} MiB`;
}
