// What a new version changes, by key names only: values are never fetched to compare, so a key
// present in both versions is "kept — value unknown".

export interface KeyDiff {
  added: string[];
  removed: string[];
  /** In both versions; whether the value changed is not known (values are not compared). */
  kept: string[];
}

export function diffKeyNames(current: readonly string[], next: readonly string[]): KeyDiff {
  const before = new Set(current);
  const after = new Set(next);
  return {
    added: [...after].filter((k) => !before.has(k)).sort(),
    removed: [...before].filter((k) => !after.has(k)).sort(),
    kept: [...after].filter((k) => before.has(k)).sort(),
  };
}

/**
 * Key names an import will hold, for the preview only (the backend parses authoritatively):
 * KEY=value lines of a .env file, or the keys under data:/stringData: of a Secret manifest.
 */
export function previewImportKeys(format: 'env' | 'manifest', text: string): string[] {
  const names = new Set<string>();
  if (format === 'env') {
    for (const line of text.split(/\r?\n/u)) {
      const m = /^\s*(?:export\s+)?([^\s=#]+)\s*=/u.exec(line);
      if (m && !line.trimStart().startsWith('#')) names.add(m[1]!);
    }
    return [...names];
  }
  let inData = false;
  let indent = -1;
  for (const line of text.split(/\r?\n/u)) {
    if (/^\s*(#.*)?$/u.test(line)) continue;
    if (/^(data|stringData):\s*$/u.test(line)) {
      inData = true;
      indent = -1;
      continue;
    }
    if (/^\S/u.test(line)) {
      inData = false;
      continue;
    }
    if (!inData) continue;
    const m = /^(\s+)(["']?)([-._a-zA-Z0-9]+)\2\s*:/u.exec(line);
    if (!m) continue;
    if (indent < 0) indent = m[1]!.length;
    if (m[1]!.length === indent) names.add(m[3]!);
  }
  return [...names];
}
