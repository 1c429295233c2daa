import {Chalk} from 'chalk'
import {type PreviewFormat, type PreviewResult, previewFile} from '../../core/templates/preview.js'
import {safeText} from '../safe-text.js'

/** `joe preview` for a terminal: the headers a recipient sees, then the message as text. No trailing newline. */
export function renderPreviewText(result: PreviewResult, options: {color: boolean}): string {
  const chalk = new Chalk({level: options.color ? 3 : 0})
  const label = (name: string) => chalk.dim(`${name}:`.padEnd(10))
  const lines = [`${chalk.bold(`${result.template.channel}/${result.template.id}`)}  ${chalk.dim(result.template.file)}`]
  if (result.customer) lines.push(`${label('Customer')}${result.customer.id}, profile as of ${result.customer.as_of}`)
  else lines.push(`${label('Customer')}${chalk.dim('none (empty profile; --customer ID renders for one of the event store)')}`)
  const {content} = result
  const body: string[] = []
  switch (content.channel) {
    case 'email':
      if (content.from) lines.push(`${label('From')}${content.from}`)
      if (content.reply_to) lines.push(`${label('Reply-To')}${content.reply_to}`)
      lines.push(`${label('Subject')}${content.subject ?? chalk.yellow('(no subject)')}`)
      if (content.transactional) lines.push(`${label('Kind')}transactional (no List-Unsubscribe)`)
      body.push(content.text)
      break
    case 'sms': {
      const s = result.segments
      if (s) lines.push(`${label('Length')}${s.units} ${s.encoding} characters, ${s.segments} segment${s.segments === 1 ? '' : 's'}`)
      body.push(content.text)
      break
    }
    case 'push':
    case 'in_app':
      if (content.title) lines.push(`${label('Title')}${content.title}`)
      if (content.url) lines.push(`${label('URL')}${content.url}`)
      body.push(content.body)
      break
    case 'webhook':
      body.push(JSON.stringify(content.body, null, 2))
      break
  }
  return [...lines, chalk.dim('─'.repeat(60)), ...body].join('\n')
}

/** The preview in a format: text for a terminal (with colour when asked), or a file's content (html, eml, json). */
export async function previewDocument(result: PreviewResult, format: PreviewFormat, options: {color: boolean}): Promise<string | Buffer> {
  return format === 'text' ? `${renderPreviewText(result, options)}\n` : previewFile(result, format)
}

/** `joe preview --out FILE`: what was written where. */
export function renderPreviewWritten(result: PreviewResult, out: string, format: PreviewFormat): string {
  return `Wrote ${safeText(out)} (${result.template.channel}/${result.template.id}, ${format})`
}
