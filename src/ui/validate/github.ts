import {CODES} from '../../core/codes.js'
import type {ValidateResult} from '../../core/validate-result.js'
import {safeOutput} from '../safe-text.js'

/**
 * GitHub Actions workflow commands, one `::error` / `::warning` / `::notice` (info) line per diagnostic, which
 * become annotations on the pull request. '' when there is nothing to report.
 */
export function renderValidateGithub(result: ValidateResult): string {
  return result.diagnostics
    .map((d) => {
      const {file, line, column, endLine, endColumn} = d.location
      const name = (CODES as Record<string, {name: string} | undefined>)[d.code]?.name
      const properties: Array<[string, string | number]> = [
        ['file', file],
        ['line', line],
        ['col', column],
      ]
      if (endLine !== undefined) properties.push(['endLine', endLine])
      if (endColumn !== undefined) properties.push(['endColumn', endColumn])
      properties.push(['title', name ? `${d.code} ${name}` : d.code])
      const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',')
      const message = d.hint ? `${d.message} (${d.hint})` : d.message
      return `::${d.severity === 'info' ? 'notice' : d.severity} ${props}::${escapeData(message)}`
    })
    .join('\n')
}

/**
 * Escaping for the message part, as in @actions/core's toCommandValue/escapeData; other control
 * characters are shown escaped, since the workflow log is a terminal too.
 */
export function escapeData(value: string): string {
  return safeOutput(value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A'), {color: false})
}

/** Escaping for `key=value` properties: also `:` and `,`, which delimit them. */
export function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C')
}
