/** The webhook URL guard (SSRF) with an injected resolver: what AWS refuses, and the local exemption. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import { checkWebhookUrl, forbiddenAddress } from '../../functions/core/webhook-url.js';

const AWS = { allowLocalHttp: false };
const LOCAL = { allowLocalHttp: true };
const resolver = (answers: Record<string, string[]>) => async (host: string) => {
  const found = answers[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found;
};
const publicDns = resolver({ 'hooks.example.com': ['203.0.113.10', '2001:4860:4860::8888'] });

async function refusal(url: string, policy = AWS, resolve = publicDns): Promise<string> {
  try {
    await checkWebhookUrl(url, policy, resolve);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const { errors, code } = error as ValidationError;
    expect(code).toBe('webhook-url-refused');
    expect(errors[0]!.path).toBe('/url');
    return errors[0]!.message;
  }
  throw new Error(`${url} was accepted`);
}

describe('the webhook URL guard in AWS', () => {
  it.each([
    ['http://hooks.example.com/x', 'must be https'],
    ['ftp://hooks.example.com/x', 'must be https'],
    ['not a url', 'absolute URL'],
    ['https://user:pw@hooks.example.com/x', 'credentials'],
    ['https://10.1.2.3/x', 'private'],
    ['https://172.16.0.1/x', 'private'],
    ['https://172.31.255.255/x', 'private'],
    ['https://192.168.0.10/x', 'private'],
    ['https://127.0.0.1/x', 'loopback'],
    ['https://127.8.9.10/x', 'loopback'],
    ['https://[::1]/x', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://[fe80::1]/x', 'link-local'],
    ['https://[fd00::1]/x', 'unique local'],
    ['https://[::ffff:10.0.0.1]/x', 'private'],
    ['https://[::ffff:7f00:1]/x', 'loopback'],
    ['https://[64:ff9b::a9fe:a9fe]/x', 'link-local'],
    ['https://100.64.0.1/x', 'carrier-grade NAT'],
    ['https://0.0.0.0/x', 'unspecified'],
    ['https://[::]/x', 'unspecified'],
    ['https://224.0.0.1/x', 'multicast'],
    ['https://nowhere.example.com/x', 'does not resolve'],
    // Numeric host forms the URL parser normalises (decimal, hex, short dotted) are judged as the address they are.
    ['https://2130706433/x', 'loopback'],
    ['https://0x7f.1/x', 'loopback'],
    ['https://10.1/x', 'private'],
    ['https://[::ffff:127.0.0.1]/x', 'loopback'],
  ])('refuses %s (%s)', async (url, why) => {
    expect(await refusal(url)).toContain(why);
  });

  it('refuses a name with any private address among its answers, and loopback over https too', async () => {
    const dns = resolver({ 'mixed.example.com': ['203.0.113.20', '10.0.0.7'], 'local.example.com': ['127.0.0.1'], 'v6.example.com': ['fe80::abcd'] });
    expect(await refusal('https://mixed.example.com/h', AWS, dns)).toBe('resolves to 10.0.0.7, which is a private address');
    expect(await refusal('https://local.example.com/h', AWS, dns)).toContain('loopback');
    expect(await refusal('https://v6.example.com/h', AWS, dns)).toContain('link-local');
  });

  it('accepts https to public addresses and answers the address to connect to', async () => {
    const checked = await checkWebhookUrl('https://hooks.example.com/in?x=1', AWS, publicDns);
    expect(checked.address).toBe('203.0.113.10');
    expect(checked.url.toString()).toBe('https://hooks.example.com/in?x=1');
    expect(forbiddenAddress('8.8.8.8')).toBeUndefined();
    expect(forbiddenAddress('2001:4860:4860::8888')).toBeUndefined();
    expect(forbiddenAddress('172.32.0.1')).toBeUndefined();
  });
});

describe('the webhook URL guard locally', () => {
  it('allows http://127.0.0.1 (a receiver on this machine), but no other plain http and no private network', async () => {
    expect((await checkWebhookUrl('http://127.0.0.1:4000/hooks', LOCAL, publicDns)).address).toBe('127.0.0.1');
    expect(await refusal('http://localhost:4000/hooks', LOCAL)).toContain('https (or http://127.0.0.1 locally)');
    expect(await refusal('http://10.0.0.1/hooks', LOCAL)).toContain('https');
    expect(await refusal('https://192.168.1.1/hooks', LOCAL)).toContain('private');
  });
});
