/** The notification texts (one module) and the events derived from table changes. */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { SesMailSender } from '../../functions/adapters/ses-mail-sender.js';
import { eventIdOf, eventsOf, type ProductEvent } from '../../functions/core/notification-events.js';
import { consoleLink, renderNotification } from '../../functions/core/notification-templates.js';
import { NotificationEventType } from '../../functions/schemas/notifications.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';

const BASE = 'https://app.example.com/';
const DATA: ProductEvent['data'] = {
  requestId: 'req_1', title: 'Spring <audit>', buyerOrgId: 'B001', factoryId: 'F001', itemCount: 2, dueDate: '2027-01-10', docType: 'certificate', decision: 'REJECT',
  evidenceId: 'evd_1', name: 'ISO 9001', version: 2, expiresAt: '2027-02-01T00:00:00.000Z', daysLeft: 7, packId: 'pck_1', username: 'buyer9', role: 'buyer', webhookId: 'whk_1', url: 'https://hooks.example.com', fromOrgId: 'F001',
};
const SUBJECTS: Record<string, ProductEvent['subject']> = { 'evidence.expiring': { type: 'evidence', id: 'evd_1' }, 'pack.ready': { type: 'pack', id: 'pck_1' }, 'user.invited': { type: 'user', id: 'u_1' }, 'webhook.disabled': { type: 'webhook', id: 'whk_1' } };

describe('the notification texts', () => {
  it.each(NotificationEventType.options)('%s names its subject and links to it in the console', (type) => {
    const subject = SUBJECTS[type] ?? { type: 'request', id: 'req_1' };
    const rendered = renderNotification({ type, subject, data: DATA }, BASE);
    expect(rendered.link).toBe(consoleLink(BASE, subject));
    expect(rendered.link).toMatch(new RegExp(`^https://app\\.example\\.com/(requests|evidence|packs|users|webhooks)/${subject.id}$`));
    expect(rendered.summary).toContain(subject.type === 'user' ? 'buyer9' : subject.id);
    expect(rendered.text).toContain(rendered.link);
    expect(rendered.html).toContain(`href="${rendered.link}"`);
    expect(rendered.html).not.toContain('<audit>');
    expect(rendered.subject.length).toBeLessThanOrEqual(150);
  });
});

const request = (overrides: Partial<EvidenceRequest> = {}): EvidenceRequest => ({
  requestId: 'req_1', buyerOrgId: 'B001', factoryId: 'F001', title: 't', status: 'OPEN',
  items: [{ itemId: 'i1', docType: 'certificate', status: 'PENDING' }], createdAt: '2027-01-01T00:00:00.000Z', createdBy: 'u', updatedAt: '2027-01-01T00:00:00.000Z', ...overrides,
});
const change = (eventName: string, newImage?: object, oldImage?: object, sk = 'REQUEST') => ({ eventName, keys: { pk: 'REQUEST#req_1', sk }, ...(newImage && { newImage: newImage as Record<string, unknown> }), ...(oldImage && { oldImage: oldImage as Record<string, unknown> }) });
const noLookup = async () => undefined;

describe('events from table changes', () => {
  it('derives request.created for the factory, with an id that is the same on every redelivery', async () => {
    const [a] = await eventsOf(change('INSERT', request()), noLookup);
    const [b] = await eventsOf(change('INSERT', request()), noLookup);
    expect(a).toMatchObject({ type: 'request.created', audience: { orgIds: ['F001'] } });
    expect(a!.eventId).toBe(b!.eventId);
    expect(a!.eventId).toBe(eventIdOf('request.created/req_1', '2027-01-01T00:00:00.000Z'));
  });

  it('derives item.fulfilled (buyer), item.reviewed and request.cancelled (factory) from before and after', async () => {
    const fulfilled = request({ status: 'FULFILLED', items: [{ itemId: 'i1', docType: 'certificate', status: 'FULFILLED', fulfilledAt: '2027-01-02T00:00:00.000Z' }] });
    expect((await eventsOf(change('MODIFY', fulfilled, request()), noLookup)).map((e) => [e.type, e.audience.orgIds])).toEqual([['item.fulfilled', ['B001']]]);
    const rejected = request({ status: 'IN_PROGRESS', items: [{ itemId: 'i1', docType: 'certificate', status: 'REJECTED', reviews: [{ decision: 'REJECT', by: 'u', at: '2027-01-03T00:00:00.000Z' }] }] });
    expect((await eventsOf(change('MODIFY', rejected, fulfilled), noLookup)).map((e) => [e.type, e.audience.orgIds, e.data['decision']])).toEqual([['item.reviewed', ['F001'], 'REJECT']]);
    const cancelled = { ...rejected, status: 'CANCELLED' as const, cancelledAt: '2027-01-04T00:00:00.000Z' };
    expect((await eventsOf(change('MODIFY', cancelled, rejected), noLookup)).map((e) => e.type)).toEqual(['request.cancelled']);
    expect(await eventsOf(change('MODIFY', rejected, rejected), noLookup)).toEqual([]);
    expect(await eventsOf(change('REMOVE', undefined, rejected), noLookup)).toEqual([]);
  });

  it('sends a comment to the other party, looked up from its request', async () => {
    const comment = { commentId: 'cmt_1', requestId: 'req_1', text: 'x', author: { userId: 'u', username: 'f', role: 'factory', orgId: 'F001' }, createdAt: '2027-01-02T00:00:00.000Z' };
    const events = await eventsOf(change('INSERT', comment, undefined, 'COMMENT#2027-01-02T00:00:00.000Z#cmt_1'), async () => request());
    expect(events.map((e) => [e.type, e.audience.orgIds])).toEqual([['comment.created', ['B001']]]);
    expect(events[0]!.data).not.toHaveProperty('text');
  });
});

describe('pack.ready', () => {
  it('is derived once, when a pack turns READY, for its creator only', async () => {
    const pack = { packId: 'pck_1', title: 'Audit pack', ownerOrgId: 'B001', createdBy: 'u-9', status: 'PENDING', createdAt: '2027-01-01T00:00:00.000Z' };
    const ready = { ...pack, status: 'READY', readyAt: '2027-01-01T00:01:00.000Z' };
    const packChange = (newImage: object, oldImage?: object) => ({ eventName: oldImage ? 'MODIFY' : 'INSERT', keys: { pk: 'PACK#pck_1', sk: 'PACK' }, newImage: newImage as Record<string, unknown>, ...(oldImage && { oldImage: oldImage as Record<string, unknown> }) });
    expect(await eventsOf(packChange(pack), noLookup)).toEqual([]);
    const [event] = await eventsOf(packChange(ready, pack), noLookup);
    expect(event).toMatchObject({ type: 'pack.ready', subject: { type: 'pack', id: 'pck_1' }, audience: { orgIds: ['B001'], userIds: ['u-9'] } });
    expect(await eventsOf(packChange({ ...ready, accessCount: 1 }, ready), noLookup)).toEqual([]);
  });
});

describe('user.invited', () => {
  it('is derived from a new user of an organisation, for that user, without an e-mail of its own', async () => {
    const user = { userId: 'u-7', username: 'newbuyer', email: 'n@example.test', role: 'buyer', orgId: 'B001', status: 'ACTIVE', createdAt: '2027-01-01T00:00:00.000Z' };
    const [event] = await eventsOf({ eventName: 'INSERT', keys: { pk: 'USER#u-7', sk: 'USER' }, newImage: user }, noLookup);
    expect(event).toMatchObject({ type: 'user.invited', audience: { orgIds: ['B001'], userIds: ['u-7'] }, mail: false });
    expect(event!.data).not.toHaveProperty('email');
    expect(await eventsOf({ eventName: 'INSERT', keys: { pk: 'USER#u-8', sk: 'USER' }, newImage: { ...user, userId: 'u-8', orgId: undefined } }, noLookup)).toEqual([]);
    expect(await eventsOf({ eventName: 'MODIFY', keys: { pk: 'USER#u-7', sk: 'USER' }, newImage: user, oldImage: user }, noLookup)).toEqual([]);
  });
});

describe('the SES mail sender', () => {
  it('sends one message from the identity, through the configuration set, text and HTML in UTF-8', async () => {
    const sent: SendEmailCommand[] = [];
    const ses = { send: async (command: SendEmailCommand) => void sent.push(command) } as unknown as SESv2Client;
    await new SesMailSender(ses, { from: 'no-reply@example.com', configurationSet: 'notifications' }).send({ to: 'f1@example.test', subject: 'Süß', text: 'plain', html: '<p>x</p>' });
    expect(sent[0]).toBeInstanceOf(SendEmailCommand);
    expect(sent[0]!.input).toEqual({
      FromEmailAddress: 'no-reply@example.com',
      Destination: { ToAddresses: ['f1@example.test'] },
      Content: { Simple: { Subject: { Data: 'Süß', Charset: 'UTF-8' }, Body: { Text: { Data: 'plain', Charset: 'UTF-8' }, Html: { Data: '<p>x</p>', Charset: 'UTF-8' } } } },
      ConfigurationSetName: 'notifications',
    });
  });
});
