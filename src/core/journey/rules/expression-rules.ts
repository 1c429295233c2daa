import {checkExpression} from '../../expr/cel.js'
import type {ExprContext} from '../../expr/scope.js'
import type {YamlPath} from '../source.js'
import {isObject, type Rule, type RuleContext} from './rule-context.js'

export interface ExpressionSite {
  path: YamlPath
  source: string
  context: ExprContext
}

/** Every CEL expression in a raw journey, with the variables its place allows. */
export function expressionSites(ctx: Pick<RuleContext, 'raw' | 'steps'>): ExpressionSite[] {
  const sites: ExpressionSite[] = []
  const add = (path: YamlPath, value: unknown, context: ExprContext) => {
    if (typeof value === 'string') sites.push({path, source: value, context})
  }
  const {raw} = ctx
  if (isObject(raw.entry)) {
    add(['entry', 'when'], raw.entry.when, 'event-condition')
    add(['entry', 'segment'], raw.entry.segment, 'profile-condition')
    if (isObject(raw.entry.schedule)) add(['entry', 'schedule', 'audience'], raw.entry.schedule.audience, 'profile-condition')
  }
  if (Array.isArray(raw.exit)) {
    raw.exit.forEach((criterion, i) => {
      if (isObject(criterion))
        add(['exit', i, 'when'], criterion.when, criterion.event === undefined ? 'profile-condition' : 'event-condition')
    })
  }
  if (isObject(raw.goal)) add(['goal', 'when'], raw.goal.when, 'event-condition')
  if (isObject(raw.settings)) add(['settings', 'consent'], raw.settings.consent, 'consent')
  for (const step of ctx.steps) {
    const base: YamlPath = ['steps', step.index]
    const v = step.value
    if (isObject(v.wait_for)) add([...base, 'wait_for', 'when'], v.wait_for.when, 'event-condition')
    if (isObject(v.branch) && Array.isArray(v.branch.cases)) {
      v.branch.cases.forEach((c, i) => {
        if (isObject(c)) add([...base, 'branch', 'cases', i, 'when'], c.when, 'branch-condition')
      })
    }
    if (isObject(v.send) && isObject(v.send.data)) {
      for (const [name, value] of Object.entries(v.send.data)) add([...base, 'send', 'data', name], value, 'value')
    }
    if (isObject(v.update) && isObject(v.update.set)) {
      for (const [name, value] of Object.entries(v.update.set)) add([...base, 'update', 'set', name], value, 'value')
    }
  }
  return sites
}

/** JOE2010-JOE2012: CEL parses, names known variables and type-checks. */
export const expressionRule: Rule = (ctx) => {
  for (const site of expressionSites(ctx)) {
    for (const issue of checkExpression(site.source, site.context)) {
      ctx.report({
        code: issue.code,
        severity: 'error',
        message: issue.message,
        ...(issue.hint ? {hint: issue.hint} : {}),
        path: site.path,
        offset: issue.offset,
      })
    }
  }
}
