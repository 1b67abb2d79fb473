/**
 * The webhook URL guard (SSRF): in AWS a webhook URL must be `https`, carry no credentials,
 * and its host must resolve only to public unicast addresses (no private, loopback,
 * link-local, carrier-grade NAT, multicast, reserved, or IPv4 hidden in IPv6). Checked at
 * registration and again at every delivery; the delivery then connects to the very address
 * checked, so a name that resolves elsewhere a moment later (DNS rebinding) reaches nothing.
 * Locally (`allowLocalHttp`) `http://127.0.0.1` is allowed too, for receivers on this machine.
 */
import { isIP } from 'node:net';
import { ValidationError } from './errors.js';
import type { HostResolver } from './notification-ports.js';

export interface UrlPolicy {
  /** The local runtime: `http://127.0.0.1[:port]` is accepted (and nothing else over plain http). */
  readonly allowLocalHttp: boolean;
}

/** Why an address may not be called, or undefined when it is a public unicast address. */
export function forbiddenAddress(address: string): string | undefined {
  const version = isIP(address);
  if (version === 4) return forbiddenIPv4(address.split('.').map(Number));
  if (version === 6) return forbiddenIPv6(address);
  return 'is not an IP address';
}

function forbiddenIPv4([a, b]: number[]): string | undefined {
  if (a === undefined || b === undefined) return 'is not an IP address';
  if (a === 127) return 'is a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'is a private address';
  if (a === 169 && b === 254) return 'is a link-local address';
  if (a === 0) return 'is an unspecified ("this network") address';
  if (a === 100 && b >= 64 && b <= 127) return 'is a carrier-grade NAT address';
  if (a === 192 && b === 0) return 'is an IETF protocol or documentation address';
  if (a === 198 && (b === 18 || b === 19)) return 'is a benchmarking address';
  if (a >= 224) return 'is a multicast or reserved address';
  return undefined;
}

/** The 8 groups of an IPv6 address, with an embedded IPv4 tail turned into two groups. */
function groupsOf(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  return [...first, ...Array(8 - first.length - last.length).fill(0), ...last];
}

function forbiddenIPv6(address: string): string | undefined {
  const g = groupsOf(address);
  if (g.every((x) => x === 0)) return 'is the unspecified address';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'is a loopback address';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) hide an IPv4 address: judge that one.
  const mapped = g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) {
    const v4 = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
    return forbiddenIPv4(v4) ?? (nat64 ? undefined : 'hides an IPv4 address');
  }
  const top = g[0]!;
  if ((top & 0xffc0) === 0xfe80) return 'is a link-local address';
  if ((top & 0xfe00) === 0xfc00) return 'is a unique local (private) address';
  if ((top & 0xffc0) === 0xfec0) return 'is a site-local address';
  if ((top & 0xff00) === 0xff00) return 'is a multicast address';
  if (top === 0x2001 && g[1] === 0x0db8) return 'is a documentation address';
  return undefined;
}

const refuse = (message: string) => new ValidationError([{ path: '/url', message }], { code: 'webhook-url-refused' });

/** A URL the product will deliver to, and the address to connect to. */
export interface CheckedUrl {
  readonly url: URL;
  readonly address: string;
}

/**
 * Parses and checks the URL, resolving its host with `resolve`.
 * @throws ValidationError on `/url` (`webhook-url-refused`) naming the rule broken.
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy, resolve: HostResolver): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute URL');
  }
  if (url.username || url.password) throw refuse('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && policy.allowLocalHttp && host === '127.0.0.1') return { url, address: host };
  if (url.protocol !== 'https:') throw refuse(policy.allowLocalHttp ? 'must be https (or http://127.0.0.1 locally)' : 'must be https');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw refuse(`the host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw refuse(`the host ${host} does not resolve`);
  for (const address of addresses) {
    const why = forbiddenAddress(address);
    // Locally the receiver on this machine is allowed over https too.
    if (why && !(policy.allowLocalHttp && address === '127.0.0.1')) throw refuse(`resolves to ${address}, which ${why}`);
  }
  return { url, address: addresses[0]! };
}
