/**
 * Where an expression appears; decides which variables exist (spec 2.1, 2.2, 2.3).
 *
 * - `event-condition`: `entry.when`, `exit[].when` with an `event`, `goal.when`, `wait_for.when`.
 * - `profile-condition`: `exit[].when` without an `event`, `entry.segment`, `schedule.audience`; no `event`.
 * - `branch-condition`: branch cases; `event` is the entering (or last) event.
 * - `value`: `send.data` and `update.set` values; any result type.
 * - `consent`: `settings.consent`; also has `channel`.
 */
export type ExprContext = 'event-condition' | 'profile-condition' | 'branch-condition' | 'value' | 'consent'

/** The variables an expression can name. */
export type ExprVariable = 'event' | 'profile' | 'journey' | 'now' | 'channel'

export const EXPR_CONTEXTS: readonly ExprContext[] = ['event-condition', 'profile-condition', 'branch-condition', 'value', 'consent']

/** Every variable that exists in some context, in the order messages list them. */
export const ALL_VARIABLES: readonly ExprVariable[] = ['event', 'profile', 'journey', 'now', 'channel']

const VARIABLES: Record<ExprContext, readonly ExprVariable[]> = {
  'event-condition': ['event', 'profile', 'journey', 'now'],
  'profile-condition': ['profile', 'journey', 'now'],
  'branch-condition': ['event', 'profile', 'journey', 'now'],
  value: ['event', 'profile', 'journey', 'now'],
  consent: ['event', 'profile', 'journey', 'now', 'channel'],
}

/** The variables that exist in `context`. */
export function contextVariables(context: ExprContext): readonly ExprVariable[] {
  return VARIABLES[context]
}

/** True when the expression must produce a bool (everything but `value`). */
export function isConditionContext(context: ExprContext): boolean {
  return context !== 'value'
}

/** Human wording for messages: "a profile condition (exit criteria without an event, segments, schedule audiences)". */
export function describeContext(context: ExprContext): string {
  switch (context) {
    case 'event-condition':
      return 'an event condition'
    case 'profile-condition':
      return 'a profile condition (an exit criterion without an event, a segment, a schedule audience)'
    case 'branch-condition':
      return 'a branch condition'
    case 'value':
      return 'a value expression'
    case 'consent':
      return 'the consent expression'
  }
}
