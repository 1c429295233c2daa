import type {SqlConnection} from '../deploy/sql-connection.js'

export type Dialect = SqlConnection['dialect']

export type ColumnType = 'text' | 'bigint' | 'int'

/**
 * A FROM item reading rows out of one JSON array parameter (`[{"a": 1, ...}, ...]`), so a batch of
 * any size is one statement with one parameter in both databases.
 */
export function jsonRows(dialect: Dialect, param: string, columns: ReadonlyArray<readonly [string, ColumnType]>, alias = 'x'): string {
  if (dialect === 'postgres')
    return `jsonb_to_recordset(${param}::jsonb) AS ${alias}(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`
  const fields = columns.map(([name]) => `json_extract(value, '$.${name}') AS ${name}`).join(', ')
  return `(SELECT ${fields} FROM json_each(${param})) AS ${alias}`
}

/** A list of text values from one JSON array parameter, for `IN (...)`. */
export function jsonList(dialect: Dialect, param: string): string {
  return dialect === 'postgres' ? `SELECT jsonb_array_elements_text(${param}::jsonb)` : `SELECT value FROM json_each(${param})`
}

/** Row locks for rows a worker claims: others skip them (PostgreSQL); SQLite's write lock already excludes everyone. */
export function skipLocked(dialect: Dialect): string {
  return dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
}

/** A row lock held to the end of the transaction (PostgreSQL); SQLite's write lock already excludes everyone. */
export function forUpdate(dialect: Dialect): string {
  return dialect === 'postgres' ? ' FOR UPDATE' : ''
}

/** The larger of two values (SQLite's two-argument max is GREATEST elsewhere). */
export function greatest(dialect: Dialect, a: string, b: string): string {
  return dialect === 'postgres' ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`
}
