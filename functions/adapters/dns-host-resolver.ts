/** Every address a host name resolves to (A and AAAA), through the system resolver. */
import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../core/notification-ports.js';

export const dnsHostResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
