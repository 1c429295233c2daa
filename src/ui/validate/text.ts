import {Chalk} from 'chalk'
import type {ValidateResult} from '../../core/validate-result.js'
import {codeFrame} from '../code-frame.js'
import {safeText} from '../safe-text.js'

export interface TextRenderOptions {
  color: boolean
  /** Returns file text for code frames; undefined if unavailable. */
  readSource(file: string): string | undefined
}

/**
 * The human output of `joe validate`, like a good compiler's: per diagnostic a
 * `path:line:col  error  JOE2003  message` header, a code frame with a caret and the hint,
 * in the order of result.diagnostics, then one summary line. No trailing newline.
 */
export function renderValidateText(result: ValidateResult, options: TextRenderOptions): string {
  const chalk = new Chalk({level: options.color ? 3 : 0})
  const sources = new Map<string, string | undefined>()
  const sourceOf = (file: string): string | undefined => {
    if (!sources.has(file)) sources.set(file, options.readSource(file))
    return sources.get(file)
  }

  const blocks: string[] = []
  for (const diagnostic of result.diagnostics) {
    const {file, line, column} = diagnostic.location
    const severity =
      diagnostic.severity === 'error'
        ? chalk.red.bold('error')
        : diagnostic.severity === 'warning'
          ? chalk.yellow.bold('warning')
          : chalk.cyan.bold('info')
    const lines = [
      `${chalk.bold(`${safeText(file)}:${line}:${column}`)}  ${severity}  ${chalk.dim(diagnostic.code)}  ${safeText(diagnostic.message)}`,
    ]
    const source = sourceOf(file)
    const frame = source === undefined ? '' : codeFrame(source, diagnostic.location, {color: options.color, severity: diagnostic.severity})
    if (frame !== '') lines.push(frame)
    if (diagnostic.hint) lines.push(`  ${chalk.cyan('hint')}: ${safeText(diagnostic.hint)}`)
    blocks.push(lines.join('\n'))
  }
  blocks.push(summaryLine(result, chalk))
  return blocks.join('\n\n')
}

function summaryLine(result: ValidateResult, chalk: InstanceType<typeof Chalk>): string {
  const checked = count(result.files.length, 'file')
  const notes = result.infoCount > 0 ? `, ${count(result.infoCount, 'note')}` : ''
  if (result.errorCount === 0 && result.warningCount === 0) return `${chalk.green('✔')} ${checked} checked, no problems${notes}`
  const filesWithProblems = new Set(result.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.location.file)).size
  const parts: string[] = []
  if (result.errorCount > 0) parts.push(count(result.errorCount, 'error'))
  if (result.warningCount > 0) parts.push(count(result.warningCount, 'warning'))
  const mark = result.errorCount > 0 ? chalk.red('✖') : chalk.yellow('⚠')
  return `${mark} ${parts.join(', ')} in ${count(filesWithProblems, 'file')} (${checked} checked${notes})`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
