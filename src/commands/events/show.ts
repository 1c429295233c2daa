import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {parseInstantFlag, storePath} from '../../cli/project-context.js'
import {JoeError} from '../../core/errors.js'
import {requireConfig} from '../../core/project/config.js'
import {openEventStore} from '../../core/store/open-store.js'
import {type CustomerTimeline, customerTimeline} from '../../core/store/queries.js'

export default class EventsShow extends JoeCommand<CustomerTimeline> {
  static override summary = "Show a customer's timeline and profile, as of any time"

  static override examples = [
    '<%= config.bin %> <%= command.id %> c000042',
    {description: 'The profile as it was on 5 March', command: '<%= config.bin %> <%= command.id %> c000042 --as-of 2026-03-05'},
  ]

  static override args = {customer: Args.string({description: 'Customer id.', required: true})}

  static override flags = {
    'as-of': Flags.string({description: 'Only events up to this time (date or ISO 8601); the profile as it was then.', helpValue: 'TIME'}),
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<CustomerTimeline> {
    const {args, flags} = await this.parse(EventsShow)
    const path = storePath(await requireConfig(process.cwd(), flags.config), flags.store)
    const asOf = parseInstantFlag('as-of', flags['as-of'])
    const store = openEventStore(path, {readonly: true})
    try {
      const timeline = customerTimeline(store, args.customer, asOf === undefined ? {} : {asOf})
      if (timeline.events.length === 0) {
        throw new JoeError(
          'JOE4004',
          `customer "${args.customer}" has no events${asOf === undefined ? '' : ' up to that time'} in ${path}`,
          {
            hint: 'customer ids are case-sensitive; `joe events stats` shows what the store holds',
          },
        )
      }
      if (!this.jsonEnabled()) {
        const {renderTimeline} = await import('../../ui/events/events-text.js')
        this.log(renderTimeline(timeline, asOf))
      }
      return timeline
    } finally {
      store.close()
    }
  }
}
