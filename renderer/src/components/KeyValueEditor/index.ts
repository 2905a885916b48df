// Key/value rows for a secret version: masked values, paste, file, random, validation.
export { KeyValueEditor, type KeyValueEditorProps } from './KeyValueEditor.tsx';
export { hasErrors, newRow, validateRows, valueSize, type KeyValueErrors, type KeyValueRow } from './model.ts';
export { readFileText, readFileValue, type FileValue } from './read-file.ts';
export { CHARSETS, randomValue, type CharsetName } from './generate.ts';
