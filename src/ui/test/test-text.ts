import {Chalk} from 'chalk'
import type {JourneyCoverage, TestRunResult} from '../../core/testing/test-types.js'
import {safeText} from '../safe-text.js'

/** Human report of `joe test`: cases, expected against actual for failures, coverage, summary. */
export function renderTestText(result: TestRunResult, options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 3 : 0})
  const out: string[] = []
  for (const d of result.diagnostics) {
    out.push(
      `${safeText(d.location.file)}:${d.location.line}:${d.location.column}  ${c.red('error')}  ${c.dim(d.code)}  ${safeText(d.message)}`,
    )
    if (d.hint) out.push(`  hint: ${safeText(d.hint)}`)
  }
  for (const file of result.files) {
    out.push(c.bold(safeText(file.file)) + c.dim(` (journey ${safeText(file.journey)})`))
    for (const testCase of file.cases) {
      out.push(`  ${testCase.passed ? c.green('✔') : c.red('✖')} ${safeText(testCase.name)}`)
      for (const m of testCase.mismatches) {
        out.push(`      ${c.red(safeText(m.message))}`)
        if (m.key === 'path') {
          out.push(`        expected: ${safeText((m.expected as string[]).join(' → ')) || '(no steps)'}`)
          out.push(`        actual:   ${safeText((m.actual as string[]).join(' → ')) || '(no steps)'}`)
        }
        if (m.key === 'sends') {
          const sends = testCase.actual.sends
          out.push(
            `        actual sends: ${sends.length === 0 ? '(none)' : safeText(sends.map((s) => `${s.template} (${s.channel}) at ${s.at}`).join(', '))}`,
          )
        }
      }
    }
  }
  const gaps = result.coverage.filter(hasGaps)
  if (gaps.length > 0) {
    out.push('', c.bold('Coverage: not reached by any case'))
    for (const cov of gaps) {
      const parts = [
        cov.steps.unreached.length > 0 ? `steps ${cov.steps.unreached.join(', ')}` : undefined,
        cov.branchCases.unreached.length > 0 ? `branch cases ${cov.branchCases.unreached.join(', ')}` : undefined,
        cov.variants.unreached.length > 0 ? `variants ${cov.variants.unreached.join(', ')}` : undefined,
      ].filter(Boolean)
      out.push(`  ${safeText(cov.journey)}: ${safeText(parts.join('; '))}`)
    }
  }
  const total = result.passed + result.failed
  const summary =
    result.failed === 0 && result.diagnostics.length === 0
      ? c.green(`✔ ${total} case${total === 1 ? '' : 's'} passed`)
      : c.red(
          `✖ ${result.failed} of ${total} case${total === 1 ? '' : 's'} failed${result.diagnostics.length > 0 ? `, ${result.diagnostics.length} file problem${result.diagnostics.length === 1 ? '' : 's'}` : ''}`,
        )
  out.push('', `${summary} ${c.dim(`(${coveragePercent(result.coverage)} of steps, cases and variants covered)`)}`)
  return out.join('\n')
}

function hasGaps(cov: JourneyCoverage): boolean {
  return cov.steps.unreached.length + cov.branchCases.unreached.length + cov.variants.unreached.length > 0
}

function coveragePercent(coverage: JourneyCoverage[]): string {
  let total = 0
  let reached = 0
  for (const cov of coverage) {
    for (const part of [cov.steps, cov.branchCases, cov.variants]) {
      total += part.total
      reached += part.reached
    }
  }
  return total === 0 ? '100%' : `${Math.floor((reached / total) * 100)}%`
}
