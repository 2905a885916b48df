// Forward-only schema migrations, applied in this order at start-up. Never edit one that has
// shipped; add a new one. Each area appends its own, named '<number>_<area>_<what>'.
export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [];
