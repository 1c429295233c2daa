import path from 'node:path'
import {simpleParser} from 'mailparser'
import {describe, expect, it} from 'vitest'
import {requireConfig} from '../../../src/core/project/config.js'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {formatOfFile, parseDataFlags, previewFile, previewTemplate} from '../../../src/core/templates/preview.js'
import {tempProject} from '../../helpers/temp-project.js'

const NOW = Date.UTC(2026, 3, 1)

const EVENTS = [
  {customer_id: 'c1', type: 'identify', timestamp: '2026-03-01T10:00:00Z', properties: {first_name: 'Ann', email: 'ann@example.com'}},
  {customer_id: 'c1', type: 'identify', timestamp: '2026-03-03T10:00:00Z', properties: {first_name: 'Annie'}},
]
  .map((e) => JSON.stringify(e))
  .join('\n')

async function project() {
  const cwd = await tempProject({
    'events.ndjson': `${EVENTS}\n`,
    'templates/email/offer.liquid': [
      '---',
      'subject: "{{ profile.first_name }}, your code"',
      'from: Shop <shop@example.com>',
      '---',
      '<p>Use <b>{{ data.code }}</b>, sent {{ message.sent_at | date: "%b %d" }}.</p>',
      '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    ].join('\n'),
    'templates/sms/offer.liquid': 'Code {{ data.code }}',
    'templates/push/nudge.liquid': '---\ntitle: "Hi {{ profile.first_name | default: \'there\' }}"\n---\nYour cart misses you',
  })
  const config = await requireConfig(cwd)
  const store = path.join(cwd, '.joe/events.db')
  const db = openEventStore(store)
  await importEvents(db, path.join(cwd, 'events.ndjson'), {now: NOW})
  db.close()
  return {cwd, config, store}
}

describe('joe preview', () => {
  it("renders with the customer's profile as of a time, the send data and the send time", async () => {
    const {cwd, config, store} = await project()
    const base = {cwd, config, store, data: {code: 'SAVE10'}, now: NOW}
    const early = await previewTemplate({...base, template: 'email/offer', customer: 'c1', at: Date.UTC(2026, 2, 2)})
    expect(early.customer).toEqual({id: 'c1', as_of: '2026-03-02T00:00:00.000Z', profile: {first_name: 'Ann', email: 'ann@example.com'}})
    expect(early.content).toMatchObject({channel: 'email', subject: 'Ann, your code', from: 'Shop <shop@example.com>'})
    expect(early.content.channel === 'email' && early.content.text).toContain('Use SAVE10, sent Mar 02.')
    const latest = await previewTemplate({...base, template: 'templates/email/offer.liquid', customer: 'c1'})
    expect(latest.sent_at).toBe('2026-03-03T10:00:00.000Z')
    expect(latest.content).toMatchObject({subject: 'Annie, your code'})
  })

  it('renders without a customer on an empty profile, at the time given by the caller', async () => {
    const {cwd, config, store} = await project()
    const result = await previewTemplate({cwd, config, store, template: 'nudge', data: {}, now: NOW})
    expect(result).toMatchObject({
      sent_at: '2026-04-01T00:00:00.000Z',
      content: {channel: 'push', title: 'Hi there', body: 'Your cart misses you'},
    })
    expect(result.customer).toBeNull()
  })

  it('counts the segments of an SMS', async () => {
    const {cwd, config, store} = await project()
    const result = await previewTemplate({cwd, config, store, template: 'sms/offer', data: {code: 'X'.repeat(200)}, now: NOW})
    expect(result.segments).toMatchObject({encoding: 'GSM-7', units: 205, segments: 2})
  })

  it('refuses ambiguous and unknown names, missing data and unknown customers with codes', async () => {
    const {cwd, config, store} = await project()
    const base = {cwd, config, store, data: {}, now: NOW}
    await expect(previewTemplate({...base, template: 'offer'})).rejects.toMatchObject({code: 'JOE8001', exitCode: 2})
    await expect(previewTemplate({...base, template: 'ofer'})).rejects.toMatchObject({
      code: 'JOE8001',
      hint: expect.stringContaining('did you mean "offer"?'),
    })
    const missing = previewTemplate({...base, template: 'email/offer', customer: 'c1'})
    await expect(missing).rejects.toThrow('email template "offer": undefined variable: data.code')
    await expect(missing).rejects.toMatchObject({code: 'JOE8002', where: {file: 'templates/email/offer.liquid', line: 5, column: 14}})
    await expect(previewTemplate({...base, template: 'email/offer', customer: 'nobody'})).rejects.toMatchObject({code: 'JOE4004'})
  })

  it('writes the HTML, and a whole email a mail client opens with List-Unsubscribe headers', async () => {
    const {cwd, config, store} = await project()
    const result = await previewTemplate({cwd, config, store, template: 'email/offer', customer: 'c1', data: {code: 'SAVE10'}, now: NOW})
    expect(String(await previewFile(result, 'html'))).toContain('<b>SAVE10</b>')
    const eml = await previewFile(result, 'eml')
    expect(eml).toEqual(await previewFile(result, 'eml'))
    const mail = await simpleParser(eml)
    expect(mail.subject).toBe('Annie, your code')
    expect(mail.to && !Array.isArray(mail.to) && mail.to.text).toBe('ann@example.com')
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toMatch(
      /^List-Unsubscribe:\s+<http:\/\/localhost:8787\/v1\/unsubscribe\/[^>]+>$/,
    )
    expect(String(mail.html)).toContain('<b>SAVE10</b>')
    const sms = await previewTemplate({cwd, config, store, template: 'sms/offer', data: {code: 'X'}, now: NOW})
    await expect(previewFile(sms, 'eml')).rejects.toMatchObject({code: 'JOE8003'})
    expect(String(await previewFile(sms, 'html'))).toContain('<pre style="white-space:pre-wrap;font-family:inherit">Code X</pre>')
    expect(JSON.parse(String(await previewFile(sms, 'json')))).toMatchObject({content: {channel: 'sms', text: 'Code X'}})
  })

  it('reads --data as JSON when it is, as text otherwise, and the format from the file name', () => {
    expect(parseDataFlags(['code=SAVE10', 'total=42', 'vip=true', 'items=[1,2]', 'eq=a=b'])).toEqual({
      code: 'SAVE10',
      total: 42,
      vip: true,
      items: [1, 2],
      eq: 'a=b',
    })
    expect(() => parseDataFlags(['nope'])).toThrow(expect.objectContaining({code: 'JOE8003'}))
    expect(['a.html', 'a.eml', 'a.json', 'a.txt'].map(formatOfFile)).toEqual(['html', 'eml', 'json', 'text'])
  })
})
