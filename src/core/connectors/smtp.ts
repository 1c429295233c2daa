import {readFile} from 'node:fs/promises'
import {isIP} from 'node:net'
import path from 'node:path'
import type {Transporter} from 'nodemailer'
import {JoeError} from '../errors.js'
import type {Connector, DeliveryOutcome, OutboxMessage} from './connector.js'
import type {SmtpOptions} from './connector-options.js'
import {compileOption, connectorEngines, type MessageConnectorDeps, prepareMessage, renderOption} from './delivery-context.js'
import {composeEmail, messageIdFor} from './email-message.js'
import {redactOutcome} from './http-outcome.js'

/**
 * Email over SMTP with nodemailer: a pool of connections (implicit TLS for smtps://, STARTTLS
 * for smtp:// as configured), timeouts, the idempotency key as the Message-ID, and
 * List-Unsubscribe / List-Unsubscribe-Post on marketing email. Every problem is an outcome:
 * 4xx replies and network trouble are retried, 5xx replies are permanent.
 */
export async function createSmtpConnector(options: SmtpOptions, deps: MessageConnectorDeps): Promise<Connector> {
  const engines = await connectorEngines(deps)
  const to = compileOption(engines, options.to, '`to`', deps)
  const ca = options.tls.caFile ? await readCa(path.resolve(deps.root, options.tls.caFile), deps) : undefined
  const {createTransport} = await import('nodemailer')
  const transporter: Transporter = createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.tls.starttls === 'required',
    ignoreTLS: options.tls.starttls === 'never',
    ...(options.auth ? {auth: options.auth} : {}),
    maxConnections: options.pool.maxConnections,
    maxMessages: options.pool.maxMessages,
    connectionTimeout: options.timeouts.connectMs,
    greetingTimeout: options.timeouts.greetingMs,
    socketTimeout: options.timeouts.socketMs,
    tls: {
      rejectUnauthorized: options.tls.rejectUnauthorized,
      // SNI takes host names only (RFC 6066).
      ...(isIP(options.host) === 0 ? {servername: options.host} : {}),
      ...(options.tls.minVersion ? {minVersion: options.tls.minVersion} : {}),
      ...(ca ? {ca} : {}),
    },
    disableFileAccess: true,
    disableUrlAccess: true,
  })

  return {
    kind: 'smtp',
    async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
      const prepared = prepareMessage(message, deps)
      if ('error' in prepared) return {status: 'failed', error: prepared.error}
      if (prepared.content?.channel !== 'email') {
        return {
          status: 'failed',
          error: `email template "${message.template}" has no template file to render (templates/email/${message.template}.liquid)`,
        }
      }
      const recipient = renderOption(to, prepared.scope)
      if ('error' in recipient) return {status: 'failed', error: `no recipient: ${recipient.error}`}
      const address = recipient.text.trim()
      if (address === '')
        return {status: 'failed', error: `no recipient: \`to\` (${options.to}) is empty for customer ${message.customerId}`}
      const messageId = messageIdFor(message.idempotencyKey, options.messageIdDomain)
      const mail = composeEmail(prepared.content, {
        to: address,
        from: options.from,
        ...(options.replyTo ? {replyTo: options.replyTo} : {}),
        messageId,
        unsubscribe: {url: prepared.links.unsubscribeUrl, ...(options.unsubscribeMailto ? {mailto: options.unsubscribeMailto} : {})},
      })
      try {
        const info = (await transporter.sendMail({...mail, ...(signal ? {signal} : {})})) as {response?: string}
        return {status: 'sent', providerId: messageId, ...(info.response ? {detail: info.response} : {})}
      } catch (error) {
        return redactOutcome(smtpOutcome(error, options), options.auth ? [options.auth.pass] : [])
      }
    },
    async close(): Promise<void> {
      transporter.close()
    },
  }
}

/** An SMTP failure as an outcome: the reply code decides (RFC 5321 4.2.1); without one it was the network. */
export function smtpOutcome(error: unknown, options: Pick<SmtpOptions, 'display'>): DeliveryOutcome {
  const err = error as {code?: string; responseCode?: number; response?: string; message?: string; name?: string}
  const reply = err.response ?? err.message ?? String(error)
  if (typeof err.responseCode === 'number') {
    const text = `${options.display}: ${reply}`
    return err.responseCode >= 500 ? {status: 'failed', error: text} : {status: 'retry', error: text}
  }
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') return {status: 'failed', error: `${err.code}: ${reply}`}
  if (err.name === 'AbortError' || err.code === 'EABORT') return {status: 'retry', error: 'aborted (shutting down)'}
  return {status: 'retry', error: `${options.display}: ${err.code ? `${err.code} ` : ''}${reply}`}
}

async function readCa(file: string, deps: MessageConnectorDeps): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (cause) {
    throw new JoeError('JOE7001', `environment "${deps.env}", channel ${deps.channel}: cannot read tls.ca_file ${file}`, {
      hint: 'give the path of a PEM file, relative to joe.config.yaml',
      cause,
    })
  }
}
