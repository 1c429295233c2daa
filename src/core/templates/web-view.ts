import type {RenderedContent} from './render.js'

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * A rendered message as a web page: what `view_in_browser_url` shows (joe serve re-renders the
 * message of the link's token) and what `joe preview --format html` writes. An email with HTML is
 * its HTML as it is; anything else is its text in a minimal page.
 */
export function webViewHtml(content: RenderedContent): string {
  if (content.channel === 'email' && content.html !== undefined) return content.html
  const title =
    content.channel === 'email' ? content.subject : content.channel === 'push' || content.channel === 'in_app' ? content.title : undefined
  const text =
    content.channel === 'email' || content.channel === 'sms'
      ? content.text
      : content.channel === 'webhook'
        ? JSON.stringify(content.body, null, 2)
        : content.body
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title ?? 'Message')}</title></head><body>${title ? `<h1>${escapeHtml(title)}</h1>` : ''}<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text)}</pre></body></html>\n`
}
