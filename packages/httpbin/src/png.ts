import { deflateSync } from "node:zlib"

/**
 * httpbin serves a pig icon from disk; we have no binary assets, so /image/png draws a small
 * picture at startup. It is a real PNG (checked CRCs, zlib data) so image decoders accept it.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 as PNG (and gzip) define it. */
export const crc32 = (data: Uint8Array): number => {
  let crc = 0xffffffff
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const chunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Encodes 8-bit RGBA pixels (row-major, width*height*4 bytes) as a PNG. */
export const encodePng = (width: number, height: number, rgba: Uint8Array): Buffer => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type RGBA
  const stride = width * 4
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0 // filter: none
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0))
  ])
}

/** A 32x32 pink pig face on a transparent background, a nod to httpbin's pig icon. */
const drawPig = (): Buffer => {
  const size = 32
  const pixels = new Uint8Array(size * size * 4)
  const paint = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * size + x) * 4
    pixels[i] = r
    pixels[i + 1] = g
    pixels[i + 2] = b
    pixels[i + 3] = 255
  }
  const inCircle = (x: number, y: number, cx: number, cy: number, radius: number) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (inCircle(x, y, 6, 6, 4) || inCircle(x, y, 25, 6, 4)) paint(x, y, 232, 128, 160) // ears
      if (!inCircle(x, y, 15.5, 17, 13)) continue
      paint(x, y, 248, 175, 195) // face
      if (inCircle(x, y, 10, 13, 2) || inCircle(x, y, 21, 13, 2)) paint(x, y, 40, 30, 30) // eyes
      if (inCircle(x, y, 15.5, 21, 5)) paint(x, y, 232, 128, 160) // snout
      if (inCircle(x, y, 13.5, 21, 1) || inCircle(x, y, 17.5, 21, 1)) paint(x, y, 120, 50, 70) // nostrils
    }
  }
  return encodePng(size, size, pixels)
}

export const PIG_PNG: Buffer = drawPig()
