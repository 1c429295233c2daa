import type {MailComposerOptions} from 'nodemailer/lib/mail-composer'
import type {RenderedContent} from '../templates/render.js'

/** A rendered email. */
export type RenderedEmail = Extract<RenderedContent, {channel: 'email'}>

/**
 * The Message-ID of a message: its idempotency key, made safe for the left of the `@`
 * (RFC 5322 dot-atom text; everything else, dots included, percent-encoded), so a receiver that
 * drops repeated Message-IDs drops a redelivery, and a provider event that quotes the Message-ID
 * (SendGrid's `smtp-id`) leads back to the message.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const local = [...idempotencyKey]
    .map((char) => (/^[A-Za-z0-9!#$&'*+/=?^_`{|}~-]$/.test(char) ? char : encodeURIComponent(char).replace(/\./g, '%2E')))
    .join('')
  return `<${local}@${domain}>`
}

/** The idempotency key inside a Message-ID made by messageIdFor; undefined when it is not one. */
export function idempotencyKeyOf(messageId: string): string | undefined {
  const match = /^<?([^@<>]+)@[^@<>]+>?$/.exec(messageId.trim())
  if (!match) return undefined
  try {
    return decodeURIComponent(match[1] as string)
  } catch {
    return undefined
  }
}

export interface EmailHeaders {
  to: string
  /** Used when the template's front matter has no `from`. */
  from: string
  replyTo?: string
  messageId: string
  /** The Date header; absent: the time it is sent. */
  date?: Date
  /** Present for marketing email: the List-Unsubscribe targets (RFC 2369, RFC 8058). */
  unsubscribe?: {url: string; mailto?: string}
}

/**
 * The email as nodemailer composes it, for SMTP and for `joe preview --format eml`, so both
 * carry the same headers. Marketing email (not `transactional`) gets `List-Unsubscribe` with the
 * signed one-click URL (and a mailto, when configured) and `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`, which Gmail and Yahoo require of bulk senders since 2024.
 */
export function composeEmail(content: RenderedEmail, headers: EmailHeaders): MailComposerOptions {
  const extra: Record<string, string> = {}
  if (headers.unsubscribe && !content.transactional) {
    const targets = [`<${headers.unsubscribe.url}>`]
    if (headers.unsubscribe.mailto) targets.push(`<mailto:${headers.unsubscribe.mailto}?subject=unsubscribe>`)
    extra['List-Unsubscribe'] = targets.join(', ')
    extra['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click'
  }
  const replyTo = content.replyTo ?? headers.replyTo
  return {
    from: content.from ?? headers.from,
    to: headers.to,
    ...(replyTo ? {replyTo} : {}),
    subject: content.subject ?? '',
    text: content.text,
    ...(content.html !== undefined ? {html: content.html} : {}),
    messageId: headers.messageId,
    ...(headers.date ? {date: headers.date} : {}),
    headers: extra,
    // Templates write strings; nothing in a message may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}

/** The email as an RFC 5322 file (`.eml`) that mail clients open; deterministic for the same input and `date`. */
export async function emlOf(mail: MailComposerOptions): Promise<Buffer> {
  const {default: MailComposer} = await import('nodemailer/lib/mail-composer')
  return new MailComposer({...mail, baseBoundary: 'joe-preview', xMailer: false}).compile().build()
}
