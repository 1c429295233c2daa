import type {TestRunResult} from '../../core/testing/test-types.js'
import {safeText} from '../safe-text.js'
import {escapeData, escapeProperty} from '../validate/github.js'

/** GitHub Actions annotations: one ::error per failing case or file problem. */
export function renderTestGithub(result: TestRunResult): string {
  const lines: string[] = []
  for (const d of result.diagnostics) {
    lines.push(
      `::error file=${escapeProperty(d.location.file)},line=${d.location.line},col=${d.location.column},title=${escapeProperty(d.code)}::${escapeData(d.message)}`,
    )
  }
  for (const file of result.files) {
    for (const c of file.cases) {
      if (c.passed) continue
      const message = c.mismatches.map((m) => m.message).join('\n')
      lines.push(
        `::error file=${escapeProperty(file.file)},line=${c.location.line},col=${c.location.column},title=${escapeProperty(`joe test: ${c.name}`)}::${escapeData(message)}`,
      )
    }
  }
  return lines.join('\n')
}

// XML 1.0 cannot hold most control characters at all, even as references: they are shown escaped.
const xml = (s: string) => safeText(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** JUnit XML, as CI test reporters read it: a testsuite per test file, a testcase per case. */
export function renderTestJunit(result: TestRunResult): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  const total = result.passed + result.failed
  out.push(`<testsuites name="joe test" tests="${total}" failures="${result.failed}" errors="${result.diagnostics.length}">`)
  for (const file of result.files) {
    const failures = file.cases.filter((c) => !c.passed).length
    out.push(
      `  <testsuite name="${xml(file.journey)}" file="${xml(file.file)}" tests="${file.cases.length}" failures="${failures}" errors="0">`,
    )
    for (const c of file.cases) {
      const open = `    <testcase classname="${xml(file.journey)}" name="${xml(c.name)}" file="${xml(file.file)}" line="${c.location.line}"`
      if (c.passed) {
        out.push(`${open}/>`)
        continue
      }
      const message = c.mismatches.map((m) => m.message).join('; ')
      out.push(
        `${open}>`,
        `      <failure message="${xml(message)}" type="expectation">${c.mismatches.map((m) => xml(`${m.key}: ${m.message}`)).join('\n')}</failure>`,
        '    </testcase>',
      )
    }
    out.push('  </testsuite>')
  }
  if (result.diagnostics.length > 0) {
    out.push(`  <testsuite name="file problems" tests="${result.diagnostics.length}" failures="0" errors="${result.diagnostics.length}">`)
    for (const d of result.diagnostics) {
      out.push(
        `    <testcase classname="joe" name="${xml(`${d.location.file}:${d.location.line}`)}" file="${xml(d.location.file)}" line="${d.location.line}">`,
        `      <error message="${xml(`${d.code} ${d.message}`)}" type="${xml(d.code)}"/>`,
        '    </testcase>',
      )
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return out.join('\n')
}
