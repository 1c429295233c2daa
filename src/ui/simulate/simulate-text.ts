import {Chalk, type ChalkInstance} from 'chalk'
import type {CustomerResult} from '../../core/engine/types.js'
import {iso} from '../../core/instant.js'
import type {EventNameWarning} from '../../core/project/event-types.js'
import type {SimulationReport} from '../../core/simulate/report.js'
import type {SimulateResult} from '../../core/simulate/simulate.js'
import {safeText} from '../safe-text.js'

const n = (value: number) => value.toLocaleString('en-US')
const pct = (part: number, whole: number) => (whole === 0 ? '  -  ' : `${((part / whole) * 100).toFixed(1).padStart(5)}%`)

/** Human report of `joe simulate`: one section per journey, then cross-journey load and policy. */
export function renderSimulateText(result: SimulateResult, options: {color: boolean; warnings?: readonly EventNameWarning[]}): string {
  const c = new Chalk({level: options.color ? 3 : 0})
  const out: string[] = []
  // Lines are appended one by one: a customer's trace can have millions, more than a call takes as arguments.
  const append = (lines: readonly string[]) => {
    for (const line of lines) out.push(line)
  }
  for (const report of result.reports) {
    append(renderReport(report, c))
    for (const w of options.warnings?.filter((w) => w.journey === report.journey) ?? [])
      out.push(`  ${c.yellow.bold('warning')} ${c.dim(w.code)}  ${safeText(w.message)}`, `    ${c.dim('hint:')} ${safeText(w.hint)}`)
    out.push('')
  }
  if (result.customer) append([...renderCustomer(result.customer, c), ''])
  if (result.load) {
    out.push(c.bold('Messages per customer, all journeys'))
    const entries = Object.entries(result.load.distribution)
    if (entries.length === 0) out.push('  no customer received a message')
    for (const [count, customers] of entries)
      out.push(`  ${count.padStart(3)} message${count === '1' ? ' ' : 's'}  ${n(customers)} customers`)
    if (result.load.max > 0) out.push(`  most: ${result.load.max} (${result.load.busiest.map(safeText).join(', ')})`)
    out.push('')
  }
  if (result.policy) {
    const p = result.policy
    if (p.ok) out.push(c.green(`✔ policy max_messages_per_customer (${p.limit} per ${p.per}): no customer over the limit`))
    else {
      out.push(
        c.red(
          `✖ policy max_messages_per_customer (${p.limit} per ${p.per}): ${p.breaches.length} customer${p.breaches.length === 1 ? '' : 's'} over the limit`,
        ),
      )
      for (const b of p.breaches.slice(0, 20))
        out.push(`  ${safeText(b.customerId)}: ${b.messages} messages between ${b.from} and ${b.until}`)
      if (p.breaches.length > 20) out.push(`  …and ${p.breaches.length - 20} more (see --json)`)
    }
  }
  return out.join('\n').trimEnd()
}

function renderReport(r: SimulationReport, c: ChalkInstance): string[] {
  const out = [c.bold(`Journey ${r.journey}`) + c.dim(`  ${r.window.from} → ${r.window.until}`)]
  const k = r.customers
  out.push(
    `  customers  ${n(k.evaluated)} evaluated, ${n(k.entered)} entered (${n(r.entries)} entries)`,
    `             ${n(k.converted)} converted, ${n(k.completed)} completed, ${n(k.exited)} exited, ${n(k.in_flight)} in flight, ${n(k.held_out)} held out`,
  )
  if (r.conversion) out.push(...renderConversion(r, c))
  out.push('', '  step funnel (arrivals)')
  const width = Math.max(...Object.keys(r.steps).map((s) => s.length))
  const top = Math.max(1, ...Object.values(r.steps).map((s) => s.entered))
  for (const [id, {entered}] of Object.entries(r.steps)) {
    const bar = '█'.repeat(Math.round((entered / top) * 24))
    const waiting = r.in_flight_at[id] ? c.dim(`  (${n(r.in_flight_at[id])} waiting)`) : ''
    out.push(`    ${id.padEnd(width)}  ${n(entered).padStart(8)}  ${c.cyan(bar)}${waiting}`)
  }
  for (const [step, cases] of Object.entries(r.branches)) {
    const total = Object.values(cases).reduce((a, b) => a + b, 0)
    out.push(
      `  branch ${step}: ${Object.entries(cases)
        .map(([k2, v]) => `${k2 === 'else' ? 'else' : `case ${Number(k2) + 1}`} ${n(v)} (${pct(v, total).trim()})`)
        .join(', ')}`,
    )
  }
  for (const [step, variants] of Object.entries(r.variants)) {
    const total = Object.values(variants).reduce((a, b) => a + b, 0)
    out.push(
      `  split ${step}: ${Object.entries(variants)
        .map(([v, count]) => `${v} ${n(count)} (${pct(count, total).trim()})`)
        .join(', ')}`,
    )
  }
  const m = r.messages
  out.push(
    '',
    `  messages   ${n(m.total)} sent: ${
      Object.entries(m.by_channel)
        .map(([ch, v]) => `${safeText(ch)} ${n(v)}`)
        .join(', ') || 'none'
    }`,
    `             by template: ${
      Object.entries(m.by_template)
        .map(([t, v]) => `${safeText(t)} ${n(v)}`)
        .join(', ') || 'none'
    }`,
    `             suppressed: ${n(m.suppressed.frequency_cap)} by frequency cap, ${n(m.suppressed.consent)} by consent; deferred by quiet hours: ${n(m.deferred.quiet_hours)}`,
  )
  const cov = r.coverage
  const gaps = [
    ...cov.unreached_steps.map((s) => `step ${s}`),
    ...cov.unreached_cases.map((x) => `${x.step} ${x.case === 'else' ? 'else' : `case ${x.case + 1}`}`),
    ...cov.unreached_variants.map((x) => `${x.step}/${x.variant}`),
  ]
  if (gaps.length > 0) out.push(c.yellow(`  not reached by any customer: ${gaps.join(', ')}`))
  out.push(...renderExpressionErrors(r, c))
  return out
}

/** Share of evaluated customers an expression may fail for before the report warns loudly. */
const MANY_FAILURES = 0.05

/**
 * Expressions that failed at run time count as false, which silently changes who enters or which
 * branch they take: list every one, and warn when one touched many customers.
 */
function renderExpressionErrors(r: SimulationReport, c: ChalkInstance): string[] {
  const failing = Object.entries(r.expression_errors)
  if (failing.length === 0) return []
  const out = ['', '  expression errors (each counted as false, or its value left out):']
  for (const [where, e] of failing) {
    const many = r.customers.evaluated > 0 && e.customers / r.customers.evaluated >= MANY_FAILURES
    const line = `    ${safeText(where)}: ${n(e.count)} failure${e.count === 1 ? '' : 's'} for ${n(e.customers)} customer${e.customers === 1 ? '' : 's'}, e.g. ${safeText(e.sample)}`
    out.push(many ? c.yellow(line) : line)
  }
  const worst = Math.max(...failing.map(([, e]) => e.customers))
  if (r.customers.evaluated > 0 && worst / r.customers.evaluated >= MANY_FAILURES) {
    out.push(
      c.yellow(
        `  ⚠ an expression failed for ${pct(worst, r.customers.evaluated).trim()} of the customers evaluated: the counts above may not mean what you think (see \`--customer ID\` for one customer's trace)`,
      ),
    )
  }
  return out
}

/**
 * Below this many customers in the treatment or the holdout group, the uplift is printed with a
 * caution: the 95% margin of error of a conversion rate is up to 1.96 * 0.5 / sqrt(n), more than
 * ±10 percentage points under 100 customers, so the difference of two such rates means little.
 */
export const MIN_UPLIFT_GROUP = 100

/** Rates with the group sizes they come from, and a caution when a group is too small to compare. */
function renderConversion(r: SimulationReport, c: ChalkInstance): string[] {
  const conversion = r.conversion as NonNullable<SimulationReport['conversion']>
  const holdout = conversion.holdout_size
  const treatment = conversion.treatment_size
  const rate = (value: number, group: number) => `${(value * 100).toFixed(2)}% of ${n(group)}`
  const up = conversion.uplift
  const uplift = up >= 0 ? c.green(`+${(up * 100).toFixed(2)}`) : c.red((up * 100).toFixed(2))
  const out = [
    `  conversion treatment ${rate(conversion.treatment_rate, treatment)}, holdout ${rate(conversion.holdout_rate, holdout)}, uplift ${uplift} pts`,
  ]
  const smallest = Math.min(treatment, holdout)
  if (smallest === 0) {
    out.push(c.yellow(`             no customer is in the ${holdout === 0 ? 'holdout' : 'treatment'} group: the uplift measures nothing`))
  } else if (smallest < MIN_UPLIFT_GROUP) {
    const group = holdout <= treatment ? 'holdout' : 'treatment'
    out.push(
      c.yellow(
        `             caution: the ${group} group has only ${n(smallest)} customer${smallest === 1 ? '' : 's'}; below ${MIN_UPLIFT_GROUP} per group the uplift is mostly noise`,
      ),
    )
  }
  return out
}

function renderCustomer(customer: {id: string; results: Record<string, CustomerResult>}, c: ChalkInstance): string[] {
  const out = [c.bold(`Trace of customer ${safeText(customer.id)}`)]
  for (const [journey, result] of Object.entries(customer.results)) {
    out.push(`  ${c.bold(journey)}: ${result.entries.length === 0 ? 'never entered' : result.entries.map((e) => e.outcome).join(', ')}`)
    for (const t of result.trace) {
      out.push(`    ${iso(t.at)}  ${t.kind.padEnd(9)} ${(t.step ?? '').padEnd(16)} ${c.dim(safeText(t.detail))}`)
    }
    for (const e of result.exprErrors)
      out.push(c.yellow(`    ${iso(e.at)}  expression error at ${safeText(e.where)}: ${safeText(e.message)}`))
  }
  return out
}
