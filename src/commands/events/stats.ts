import {Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {storePath} from '../../cli/project-context.js'
import {requireConfig} from '../../core/project/config.js'
import {openEventStore} from '../../core/store/open-store.js'
import type {StoreStats} from '../../core/store/store-types.js'

export default class EventsStats extends JoeCommand<StoreStats & {store: string}> {
  static override summary = 'Summarize the event store: events, customers, types, time range'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<StoreStats & {store: string}> {
    const {flags} = await this.parse(EventsStats)
    const path = storePath(await requireConfig(process.cwd(), flags.config), flags.store)
    const store = openEventStore(path, {readonly: true})
    try {
      const stats = store.stats()
      if (!this.jsonEnabled()) {
        const {renderStoreStats} = await import('../../ui/events/events-text.js')
        this.log(renderStoreStats(stats, path))
      }
      return {...stats, store: path}
    } finally {
      store.close()
    }
  }
}
