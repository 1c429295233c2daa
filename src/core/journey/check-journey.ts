import type {Diagnostic} from '../errors.js'
import type {JoeConfig} from '../project/config.js'
import {expressionRule} from './rules/expression-rules.js'
import {loopRule, reachabilityRule} from './rules/graph-rules.js'
import {isObject, type Rule, type RuleContext, rawSteps} from './rules/rule-context.js'
import {durationRule, entryEchoRule, settingsRule, templateRule} from './rules/setting-rules.js'
import {splitRule} from './rules/split-rules.js'
import {movedRule, referenceRule, stepIdRule} from './rules/step-rules.js'
import {validateAgainstSchema} from './schema-check.js'
import type {SourceFile} from './source.js'

/** Semantic rules of spec section 3, in reporting order. Each runs even when others found problems. */
export const JOURNEY_RULES: readonly Rule[] = [
  stepIdRule,
  referenceRule,
  movedRule,
  reachabilityRule,
  loopRule,
  splitRule,
  durationRule,
  settingsRule,
  templateRule,
  entryEchoRule,
  expressionRule,
]

/** Schema, then every rule, over one parsed journey file. */
export function checkJourney(source: SourceFile, config: JoeConfig): Diagnostic[] {
  const diagnostics = validateAgainstSchema('journey', source)
  if (!isObject(source.value)) return diagnostics
  const ctx: RuleContext = {
    source,
    raw: source.value,
    steps: rawSteps(source.value),
    config,
    report: ({path, key, offset, ...rest}) => {
      const location = offset === undefined ? source.locate(path, key === undefined ? {} : {key}) : source.locateInScalar(path, offset)
      diagnostics.push({...rest, location})
    },
  }
  for (const rule of JOURNEY_RULES) rule(ctx)
  return diagnostics
}
