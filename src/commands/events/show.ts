import {Args, Flags} from '@oclif/core'
import {configFlag, storeFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {parseInstantFlag, storePath} from '../../cli/project-context.js'
import {type EventsShowResult, showCustomer} from '../../core/events/local-events.js'
import {requireConfig} from '../../core/project/config.js'

export default class EventsShow extends JoeCommand<EventsShowResult> {
  static override summary = "Show a customer's timeline and profile, as of any time"

  static override examples = [
    '<%= config.bin %> <%= command.id %> c000042',
    {description: 'The profile as it was on 5 March', command: '<%= config.bin %> <%= command.id %> c000042 --as-of 2026-03-05'},
  ]

  static override args = {customer: Args.string({description: 'Customer id.', required: true})}

  static override flags = {
    'as-of': Flags.string({description: 'Only events up to this time (date or ISO 8601); the profile as it was then.', helpValue: 'TIME'}),
    store: storeFlag,
    config: configFlag,
  }

  async run(): Promise<EventsShowResult> {
    const {args, flags} = await this.parse(EventsShow)
    const store = storePath(await requireConfig(process.cwd(), flags.config), flags.store)
    const asOf = parseInstantFlag('as-of', flags['as-of'])
    const result = await showCustomer({store, customer: args.customer, ...(asOf === undefined ? {} : {asOf})})
    if (!this.jsonEnabled()) {
      const {renderTimeline} = await import('../../ui/events/events-text.js')
      this.log(renderTimeline(result))
    }
    return result
  }
}
