/**
 * The variables as the CEL planner reads them for one evaluation. Getters make
 * conversion lazy: an expression that never reads `event` never pays for
 * converting it. Folded constants (fold.ts) are read the same way, from the
 * prototype of a subclass made once per compiled expression.
 */
import {celInput, celTimestamp} from './runtime.js'
import type {ExprBindings} from './types.js'

export class Activation {
  constructor(private readonly b: ExprBindings) {}
  get profile(): unknown {
    return celInput(this.b.profile)
  }
  get journey(): unknown {
    return celInput({id: this.b.journey.id, entered_at: celTimestamp(this.b.journey.entered_at)})
  }
  get now(): unknown {
    return celTimestamp(this.b.now)
  }
  get event(): unknown {
    const event = this.b.event
    if (event === undefined) return undefined
    return celInput({type: event.type, timestamp: celTimestamp(event.timestamp), properties: event.properties})
  }
  get channel(): unknown {
    return this.b.channel
  }
}

/** The activation class for an expression whose folded constants are `constants`. */
export function activationWith(constants: ReadonlyMap<string, unknown>): new (b: ExprBindings) => Activation {
  if (constants.size === 0) return Activation
  class WithConstants extends Activation {}
  for (const [name, value] of constants) Object.defineProperty(WithConstants.prototype, name, {value})
  return WithConstants
}
