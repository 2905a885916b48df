// Draws Tessera's icon (four tiles on an indigo square, as assets/icon.svg) into the PNG, ICO
// and ICNS files electron-builder wants, in build/ (its resources folder): icon.icns for macOS,
// icon.ico for Windows, icons/<n>x<n>.png for Linux. Run once when the design changes; outputs
// are committed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function roundedRect(x: number, y: number, rx: number, ry: number, w: number, h: number, r: number): boolean {
  if (x < rx || y < ry || x >= rx + w || y >= ry + h) return false;
  const cx = Math.min(Math.max(x, rx + r), rx + w - r);
  const cy = Math.min(Math.max(y, ry + r), ry + h - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

export function drawIcon(size: number): Buffer {
  const s = size / 64;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const tiles: [number, number, number][] = [
    [10, 10, 1],
    [34, 10, 0.75],
    [10, 34, 0.75],
    [34, 34, 0.5],
  ];
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const px = (x + 0.5) / s;
      const py = (y + 0.5) / s;
      let rgba = [0, 0, 0, 0];
      if (roundedRect(px, py, 0, 0, 64, 64, 12)) {
        rgba = [0x3b, 0x5b, 0xdb, 255];
        for (const [tx, ty, alpha] of tiles) {
          if (roundedRect(px, py, tx, ty, 20, 20, 3)) {
            rgba = [0, 1, 2].map((i) => Math.round(rgba[i]! * (1 - alpha) + 255 * alpha)).concat(255);
          }
        }
      }
      raw.set(rgba, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function ico(png: Buffer): Buffer {
  const dir = Buffer.alloc(22);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(1, 4);
  dir[6] = 0; // 256 px
  dir[7] = 0;
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(png.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, png]);
}

function icns(png512: Buffer, png256: Buffer): Buffer {
  const entry = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  };
  const body = Buffer.concat([entry('ic09', png512), entry('ic08', png256)]);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

if (import.meta.main) {
  const root = new URL('../build/', import.meta.url);
  mkdirSync(new URL('icons/', root), { recursive: true });
  const pngs = new Map<number, Buffer>();
  for (const size of [16, 32, 48, 64, 128, 256, 512]) {
    const png = drawIcon(size);
    pngs.set(size, png);
    writeFileSync(new URL(`icons/${size}x${size}.png`, root), png);
  }
  writeFileSync(new URL('icon.png', root), pngs.get(512)!);
  writeFileSync(new URL('icon.ico', root), ico(pngs.get(256)!));
  writeFileSync(new URL('icon.icns', root), icns(pngs.get(512)!, pngs.get(256)!));
}
