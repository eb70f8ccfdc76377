import { deflateSync } from 'node:zlib';

// Sealpost blue and white, a sealed envelope's flap drawn as a V. Drawn here instead of kept
// as binary files: six sizes of one simple mark, the same wherever the api runs.
const BLUE = [0x1f, 0x5f, 0xaa];
const WHITE = [0xff, 0xff, 0xff];

/**
 * A square PNG (8-bit RGBA) of the add-in's mark: white on blue, or, as `outline`, white on
 * transparent, the form Microsoft 365 asks of an app's outline icon.
 */
export function addinIconPng(size: number, style: 'color' | 'outline' = 'color'): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x += 1) {
      const mark = isMark(x / size, y / size);
      const rgba = mark ? [...WHITE, 0xff] : style === 'color' ? [...BLUE, 0xff] : [0, 0, 0, 0];
      row.set(rgba, 1 + x * 4);
    }
    rows.push(row);
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function isMark(x: number, y: number): boolean {
  const inEnvelope = x > 0.15 && x < 0.85 && y > 0.28 && y < 0.72;
  const border = Math.min(x - 0.15, 0.85 - x, y - 0.28, 0.72 - y) < 0.06;
  const flap = Math.abs(y - 0.28 - 0.8 * Math.min(x - 0.15, 0.85 - x)) < 0.05;
  return inEnvelope && (border || flap);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
