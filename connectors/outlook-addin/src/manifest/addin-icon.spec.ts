import { inflateSync } from 'node:zlib';
import { addinIconPng } from './addin-icon';

/** Width, height, colour type and the RGBA of pixel (x, y), read back from the PNG bytes. */
function decode(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const colourType = png[25];
  let offset = 8;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    if (png.toString('ascii', offset + 4, offset + 8) === 'IDAT') {
      data.push(png.subarray(offset + 8, offset + 8 + length));
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixel = (x: number, y: number) =>
    [...raw.subarray(y * (1 + width * 4) + 1 + x * 4)].slice(0, 4);
  return { width, height, colourType, pixel };
}

describe('add-in icons', () => {
  it.each([16, 32, 80, 192])('draws a %i px square PNG that decodes', (size) => {
    const icon = decode(addinIconPng(size));
    expect([icon.width, icon.height, icon.colourType]).toEqual([size, size, 6]);
    expect(icon.pixel(0, 0)).toEqual([0x1f, 0x5f, 0xaa, 0xff]);
  });

  it('draws the outline icon white on transparent', () => {
    const icon = decode(addinIconPng(32, 'outline'));
    expect(icon.pixel(0, 0)).toEqual([0, 0, 0, 0]);
    const marks = Array.from({ length: 32 }, (_, y) => icon.pixel(16, y)).filter(
      ([, , , alpha]) => alpha === 0xff,
    );
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every(([r, g, b]) => r === 0xff && g === 0xff && b === 0xff)).toBe(true);
  });
});
