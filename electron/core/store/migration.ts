// One forward-only schema migration: an id ('<number>_<area>_<what>') and its SQL.
export interface Migration {
  id: string;
  sql: string;
}
