// Reading a new version's values from a Kubernetes Secret manifest or a .env file. Errors name
// the line or the key, never the value: parser messages (which quote the source) are not passed on.
import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { SecretEntry } from './envelope.ts';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u;

function invalid(message: string, field: string): TesseraError {
  return new TesseraError('INVALID_INPUT', message, { field });
}

/** A Secret manifest: `data` (base64) and `stringData` (text, wins over data for the same key, as in Kubernetes). */
export function entriesFromManifest(text: string): SecretEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    throw invalid(`The manifest is not valid YAML (line ${line}: ${e.code}).`, 'text');
  }
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 0);
  const root = doc.contents;
  if (!isMap(root)) throw invalid('The manifest must be a single Kubernetes Secret object (a YAML mapping).', 'text');
  const kind = root.get('kind', true) as Node | undefined;
  if (!isScalar(kind) || kind.value !== 'Secret') throw invalid(`The manifest must have "kind: Secret" (line ${lineOf(kind) || 1}).`, 'kind');
  const entries = new Map<string, SecretEntry>();
  const section = (name: 'data' | 'stringData', decode: (value: string, key: string, line: number) => Buffer) => {
    const node = root.get(name, true) as Node | undefined;
    if (node === undefined || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) throw invalid(`"${name}" must be a mapping of key names to values (line ${lineOf(node)}).`, name);
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const line = lineOf(keyNode);
      const valueNode = pair.value as Node | null;
      if (!isScalar(valueNode) || (typeof valueNode.value !== 'string' && typeof valueNode.value !== 'number' && typeof valueNode.value !== 'boolean')) {
        throw invalid(`"${name}.${key}" (line ${line}) must be a string.`, `${name}.${key}`);
      }
      const previous = entries.get(key);
      previous?.value.fill(0);
      entries.set(key, { name: key, value: decode(String(valueNode.value), key, line) });
    }
  };
  section('data', (value, key, line) => {
    const compact = value.replace(/\s+/gu, '');
    if (!STRICT_BASE64.test(compact)) throw invalid(`"data.${key}" (line ${line}) is not valid base64.`, `data.${key}`);
    return Buffer.from(compact, 'base64');
  });
  section('stringData', (value) => Buffer.from(value, 'utf8'));
  if (entries.size === 0) throw invalid('The manifest has no "data" or "stringData" keys.', 'data');
  return [...entries.values()];
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/** A .env file: KEY=VALUE per line, '#' comments, optional "export ", "double" (with escapes) or 'single' quotes. */
export function entriesFromEnvFile(text: string): SecretEntry[] {
  const entries = new Map<string, SecretEntry>();
  const lines = text.split(/\r?\n/u);
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/u.exec(line);
    if (!m) throw invalid(`Line ${n} of the .env file is not KEY=VALUE.`, `line.${n}`);
    const key = m[1]!;
    const rest = m[2]!;
    let value: string;
    if (rest.startsWith('"')) {
      let out = '';
      let i = 1;
      let closed = false;
      for (; i < rest.length; i++) {
        const ch = rest[i]!;
        if (ch === '\\' && i + 1 < rest.length) {
          const next = rest[i + 1]!;
          out += ESCAPES[next] ?? `\\${next}`;
          i++;
        } else if (ch === '"') {
          closed = true;
          break;
        } else out += ch;
      }
      const after = rest.slice(i + 1).trim();
      if (!closed || (after !== '' && !after.startsWith('#')))
        throw invalid(`Line ${n} of the .env file (key "${key}") has an unterminated or malformed double-quoted value.`, `line.${n}`);
      value = out;
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      const after = end < 0 ? '' : rest.slice(end + 1).trim();
      if (end < 0 || (after !== '' && !after.startsWith('#')))
        throw invalid(`Line ${n} of the .env file (key "${key}") has an unterminated or malformed single-quoted value.`, `line.${n}`);
      value = rest.slice(1, end);
    } else {
      value = rest.replace(/\s+#.*$/u, '').trim();
    }
    if (entries.has(key)) throw invalid(`Line ${n} of the .env file repeats key "${key}".`, `line.${n}`);
    entries.set(key, { name: key, value: Buffer.from(value, 'utf8') });
  });
  if (entries.size === 0) throw invalid('The .env file holds no KEY=VALUE lines.', 'text');
  return [...entries.values()];
}
