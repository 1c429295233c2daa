import Ajv2020 from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'
import {readSchema} from '../../src/core/schemas.js'

type Validate = ((data: unknown) => boolean) & {errors?: unknown}

/** One `$defs` entry of config.schema.json, compiled strictly as editors see it. */
async function compileDef(name: string): Promise<Validate> {
  const schema = (await readSchema('config')) as {$defs: object}
  const ajv = new Ajv2020.default({strict: true, allErrors: true, logger: false})
  return ajv.compile({$schema: 'https://json-schema.org/draft/2020-12/schema', $defs: schema.$defs, $ref: `#/$defs/${name}`}) as Validate
}

let smtp: Validate
let http: Validate

beforeAll(async () => {
  smtp = await compileDef('smtpConnector')
  http = await compileDef('httpConnector')
})

describe('connector options in config.schema.json', () => {
  it('accepts smtp channels as the docs write them', () => {
    for (const channel of [
      {connector: 'smtp', url: 'smtps://apikey:${SMTP_PASSWORD}@smtp.sendgrid.net:465', from: 'Shop <hello@shop.example>'},
      {
        connector: 'smtp',
        url: 'smtp://localhost:2525',
        from: 'Shop <hello@shop.example>',
        unsubscribe_mailto: 'unsubscribe@shop.example',
        pool: {max_connections: 2},
        timeouts: {connect: '5s', socket: '1m'},
        tls: {starttls: 'never', reject_unauthorized: false},
        events: {format: 'sendgrid', public_key: '${SENDGRID_EVENTS_KEY}'},
      },
    ]) {
      expect(smtp(channel), JSON.stringify(smtp.errors)).toBe(true)
    }
  })

  it('refuses smtp channels without url or from, with another scheme, or with unknown keys', () => {
    for (const channel of [
      {connector: 'smtp', from: 'a@b.c'},
      {connector: 'smtp', url: 'smtp://h'},
      {connector: 'smtp', url: 'https://h', from: 'a@b.c'},
      {connector: 'smtp', url: 'smtp://h', from: 'a@b.c', tls: {starttls: 'maybe'}},
      {connector: 'smtp', url: 'smtp://h', from: 'a@b.c', events: {format: 'joe'}},
      {connector: 'smtp', url: 'smtp://h', from: 'a@b.c', password: 'x'},
    ]) {
      expect(smtp(channel), JSON.stringify(channel)).toBe(false)
    }
  })

  it('accepts http channels with a preset or their own body', () => {
    for (const channel of [
      {connector: 'http', preset: 'twilio-sms', account_sid: '${TWILIO_SID}', auth_token: '${TWILIO_TOKEN}', from: '+15005550006'},
      {connector: 'http', preset: 'twilio-sms', account_sid: 'AC1', auth_token: 't', messaging_service_sid: 'MG1'},
      {connector: 'http', preset: 'json-push', url: 'https://exp.host/--/api/v2/push/send', headers: {Authorization: 'Bearer ${T}'}},
      {connector: 'http', url: 'https://api.example.com/sms', body: '{"to": {{ to | json }}}', timeout: '5s', provider_id: 'id'},
      {connector: 'http', url: 'https://api.example.com/sms', form: {To: '{{ to }}'}, basic_auth: {username: 'u', password: '${P}'}},
    ]) {
      expect(http(channel), JSON.stringify(http.errors)).toBe(true)
    }
  })

  it('refuses http channels that miss what their preset needs, or give both body and form', () => {
    for (const channel of [
      {connector: 'http', preset: 'twilio-sms', account_sid: 'AC1', from: '+1'},
      {connector: 'http', preset: 'twilio-sms', account_sid: 'AC1', auth_token: 't'},
      {connector: 'http', preset: 'json-push'},
      {connector: 'http', url: 'https://x'},
      {connector: 'http', url: 'https://x', body: '{}', form: {a: 'b'}},
      {connector: 'http', preset: 'mailgun', url: 'https://x'},
      {connector: 'http', url: 'https://x', body: '{}', method: 'GET'},
    ]) {
      expect(http(channel), JSON.stringify(channel)).toBe(false)
    }
  })
})
