import {configFlag, storeFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {storePath} from '../../cli/project-context.js'
import {type EventsStatsResult, eventStoreStats} from '../../core/events/local-events.js'
import {requireConfig} from '../../core/project/config.js'

export default class EventsStats extends JoeCommand<EventsStatsResult> {
  static override summary = 'Summarize the event store: events, customers, types, time range'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {store: storeFlag, config: configFlag}

  async run(): Promise<EventsStatsResult> {
    const {flags} = await this.parse(EventsStats)
    const result = await eventStoreStats({store: storePath(await requireConfig(process.cwd(), flags.config), flags.store)})
    if (!this.jsonEnabled()) {
      const {renderStoreStats} = await import('../../ui/events/events-text.js')
      this.log(renderStoreStats(result))
    }
    return result
  }
}
