import type {DeployMigration} from '../deploy/migrations.js'

/**
 * The tables `joe serve` runs an environment on, in the environment's store beside the deploy
 * ledger (the same schema in SQLite and PostgreSQL; ids that only need to be unique come from the
 * database, event sequence numbers from a counter row, so they are assigned in commit order).
 * Every migration only adds: a joe that is one version older keeps running against the new schema.
 */
export const RUNTIME_MIGRATIONS: readonly DeployMigration[] = [
  {
    version: 3,
    name: 'runtime: received events, customers, journey instances, outbox, journal, activations',
    up: {
      sqlite: runtimeTables('INTEGER PRIMARY KEY'),
      postgres: runtimeTables('BIGSERIAL PRIMARY KEY'),
    },
  },
]

function runtimeTables(serial: string): string {
  return `
    CREATE TABLE joe_sequences (
      env TEXT PRIMARY KEY,
      next_seq BIGINT NOT NULL,
      last_received_at BIGINT NOT NULL
    );
    CREATE TABLE joe_runtime (
      env TEXT PRIMARY KEY,
      clock_now BIGINT,
      dispatched_seq BIGINT NOT NULL DEFAULT 0,
      ledger_seen BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE joe_events (
      env TEXT NOT NULL,
      seq BIGINT NOT NULL,
      customer_id TEXT NOT NULL,
      type TEXT NOT NULL,
      ts BIGINT NOT NULL,
      received_at BIGINT NOT NULL,
      properties TEXT NOT NULL,
      message_id TEXT,
      source TEXT NOT NULL,
      PRIMARY KEY (env, seq)
    );
    CREATE UNIQUE INDEX joe_events_message ON joe_events (env, message_id);
    CREATE INDEX joe_events_customer ON joe_events (env, customer_id, seq);
    CREATE TABLE joe_customers (
      env TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      state TEXT NOT NULL,
      processed_seq BIGINT NOT NULL DEFAULT 0,
      pending INTEGER NOT NULL DEFAULT 0,
      next_due BIGINT,
      journal_lines BIGINT NOT NULL DEFAULT 0,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (env, customer_id)
    );
    CREATE INDEX joe_customers_pending ON joe_customers (env, customer_id) WHERE pending = 1;
    CREATE INDEX joe_customers_due ON joe_customers (env, next_due) WHERE next_due IS NOT NULL;
    CREATE TABLE joe_instances (
      env TEXT NOT NULL,
      journey_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      revision TEXT NOT NULL,
      state TEXT NOT NULL,
      active INTEGER NOT NULL,
      step TEXT,
      entered_at BIGINT,
      timer_at BIGINT,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (env, journey_id, customer_id)
    );
    CREATE INDEX joe_instances_customer ON joe_instances (env, customer_id);
    CREATE INDEX joe_instances_active ON joe_instances (env, journey_id) WHERE active = 1;
    CREATE TABLE joe_outbox (
      id ${serial},
      env TEXT NOT NULL,
      idempotency_key TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      journey_id TEXT NOT NULL,
      revision TEXT NOT NULL,
      entry INTEGER NOT NULL,
      step_id TEXT NOT NULL,
      channel TEXT NOT NULL,
      template TEXT NOT NULL,
      data TEXT NOT NULL,
      profile TEXT NOT NULL,
      decided_at BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at BIGINT NOT NULL,
      last_error TEXT,
      sent_at BIGINT,
      provider_id TEXT
    );
    CREATE UNIQUE INDEX joe_outbox_key ON joe_outbox (env, idempotency_key);
    CREATE INDEX joe_outbox_due ON joe_outbox (env, next_attempt_at) WHERE status = 'pending';
    CREATE INDEX joe_outbox_status ON joe_outbox (env, status, id);
    CREATE INDEX joe_outbox_customer ON joe_outbox (env, customer_id, id);
    CREATE TABLE joe_journal (
      env TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      line BIGINT NOT NULL,
      journey_id TEXT,
      at BIGINT NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      PRIMARY KEY (env, customer_id, line)
    );
    CREATE TABLE joe_activations (
      env TEXT NOT NULL,
      journey_id TEXT NOT NULL,
      since BIGINT NOT NULL,
      revision TEXT,
      paused INTEGER NOT NULL,
      ledger_id BIGINT NOT NULL,
      PRIMARY KEY (env, journey_id, since)
    );
    CREATE TABLE joe_workers (
      env TEXT NOT NULL,
      worker TEXT NOT NULL,
      processed_through BIGINT,
      seen_at BIGINT NOT NULL,
      PRIMARY KEY (env, worker)
    );
    CREATE TABLE joe_errors (
      id ${serial},
      env TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      seq BIGINT,
      at BIGINT NOT NULL,
      message TEXT NOT NULL,
      recorded_at BIGINT NOT NULL
    );
    CREATE INDEX joe_errors_customer ON joe_errors (env, customer_id, id);
  `
}
