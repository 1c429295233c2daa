import {type LinkClaims, verifyLinkToken} from '../../templates/link-tokens.js'
import type {DeliveryFeedback} from './delivery-events.js'

/**
 * The unsubscribe link of a message (templates/link-tokens.ts). Following RFC 8058, a GET
 * only shows a page with a button (mail scanners fetch links, and must not unsubscribe anyone);
 * the POST, from that button or from a mail client's one-click unsubscribe (body
 * `List-Unsubscribe=One-Click`), records it.
 */

export type UnsubscribeSource = 'one-click' | 'page'

export type UnsubscribeResult =
  | {ok: true; claims: LinkClaims; feedback: DeliveryFeedback}
  /** The link is not valid here (tampered, another environment's, another purpose); nothing is recorded. */
  | {ok: false; reason: string}

/** What a POST to an unsubscribe link records: the `unsubscribed` event and the channel's opt-out. */
export function unsubscribeFromLink(
  token: string,
  expect: {secrets: readonly string[]; env: string},
  at: number,
  source: UnsubscribeSource,
): UnsubscribeResult {
  const verified = verifyLinkToken(token, {...expect, purpose: 'unsubscribe'})
  if (!verified.ok) return {ok: false, reason: verified.reason}
  const {claims} = verified
  const properties: Record<string, unknown> = {channel: claims.channel, source}
  if (claims.messageId !== undefined) properties.message_id = claims.messageId
  if (claims.journeyId !== undefined) properties.journey = claims.journeyId
  if (claims.template !== undefined) properties.template = claims.template
  return {
    ok: true,
    claims,
    feedback: {event: {customer_id: claims.customerId, type: 'unsubscribed', timestamp: at, properties}, optOut: claims.channel},
  }
}

/** Whether a POST body is RFC 8058's one-click request (form-encoded `List-Unsubscribe=One-Click`). */
export function isOneClickBody(body: string): boolean {
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click'
}

const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  email: 'emails',
  sms: 'text messages',
  push: 'push notifications',
  in_app: 'in-app messages',
  webhook: 'messages',
}

/**
 * The page of an unsubscribe link: `confirm` (GET: a button that POSTs to the same URL), `done`
 * (after the POST), or `invalid`. Plain HTML with no scripts or outside resources.
 */
export function unsubscribePage(state: 'confirm' | 'done' | 'invalid', channel?: string): string {
  const what = CHANNEL_NAMES[channel ?? ''] ?? 'messages'
  const body =
    state === 'confirm'
      ? `<h1>Unsubscribe</h1><p>Stop receiving ${what} like this one?</p><form method="post"><button type="submit">Unsubscribe</button></form>`
      : state === 'done'
        ? `<h1>You are unsubscribed</h1><p>You will not receive these ${what} any more.</p>`
        : '<h1>This link does not work</h1><p>It may have been copied incompletely. Use the unsubscribe link of a recent message.</p>'
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Unsubscribe</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}</style></head><body>${body}</body></html>\n`
}
