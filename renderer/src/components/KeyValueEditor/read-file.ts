// Reads a file picked by the user into a value: UTF-8 text when it is valid UTF-8, else base64.
// The bytes stay in this window; they leave it only when the version is saved.

export interface FileValue {
  value: string;
  encoding: 'utf8' | 'base64';
  size: number;
}

function readBytes(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsArrayBuffer(file);
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function readFileValue(file: File): Promise<FileValue> {
  const bytes = await readBytes(file);
  try {
    const value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { value, encoding: 'utf8', size: bytes.length };
  } catch {
    return { value: toBase64(bytes), encoding: 'base64', size: bytes.length };
  } finally {
    bytes.fill(0);
  }
}

/** Reads a file as text (for .env and manifest imports). */
export async function readFileText(file: File): Promise<string> {
  const bytes = await readBytes(file);
  try {
    return new TextDecoder('utf-8').decode(bytes);
  } finally {
    bytes.fill(0);
  }
}
