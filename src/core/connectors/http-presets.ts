/**
 * Presets of the `http` connector: the request shapes of common providers, so a channel's
 * config names the provider and its credentials instead of spelling out URL, auth and body.
 * Every default can be overridden by the channel's own `url`, `headers`, `body` or `form`.
 * Bodies are Liquid with the variables of http-provider.ts (`to`, `content`, `message`, ...).
 */

export type HttpPreset = 'twilio-sms' | 'json-push' | 'json'

export interface PresetDefaults {
  url?: string
  headers?: Record<string, string>
  body?: string
  form?: Record<string, string>
  contentType?: string
  providerId?: string
}

/** Reads one of the channel's options (variables expanded); `required` ones fail clearly when missing. */
export type OptionReader = (key: string, required?: boolean) => string | undefined

export const HTTP_PRESETS: Readonly<Record<HttpPreset, {summary: string; defaults(option: OptionReader): PresetDefaults}>> = {
  'twilio-sms': {
    summary:
      "Twilio's Programmable Messaging API: a form POST with Basic auth (account_sid, auth_token), from (or messaging_service_sid), and a StatusCallback to joe serve",
    defaults(option) {
      const sid = option('account_sid', true) as string
      const token = option('auth_token', true) as string
      const service = option('messaging_service_sid')
      const from = service ? undefined : option('from', true)
      return {
        url: `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`,
        headers: {Authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`},
        form: {
          To: '{{ to }}',
          ...(service ? {MessagingServiceSid: service} : {From: from as string}),
          Body: '{{ content.text }}',
          StatusCallback: '{{ callback_url }}',
        },
        providerId: 'sid',
      }
    },
  },
  'json-push': {
    summary: 'A push gateway taking {to, title, body, data} as JSON (the shape of the Expo push API); url and headers from the channel',
    defaults() {
      return {
        body: [
          '{"to": {{ to | json }}, "title": {{ content.title | default: "" | json }}, "body": {{ content.body | json }},',
          ' "data": {"url": {{ content.url | default: "" | json }}, "message_id": {{ message.id | json }}, "journey": {{ journey.id | json }}}}',
        ].join(''),
        contentType: 'application/json',
      }
    },
  },
  json: {
    summary: 'A JSON POST of the message and its rendered content, for an API of your own; url and headers from the channel',
    defaults() {
      return {
        body: [
          '{"message_id": {{ message.id | json }}, "customer_id": {{ customer_id | json }}, "to": {{ to | json }},',
          ' "channel": {{ message.channel | json }}, "journey": {{ journey.id | json }}, "step": {{ journey.step | json }},',
          ' "template": {{ message.template | json }}, "content": {{ content | json }}, "data": {{ data | json }}}',
        ].join(''),
        contentType: 'application/json',
      }
    },
  },
}
