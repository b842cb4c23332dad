import QRCode from 'qrcode';
import { readQrCode, toRgba } from '../../src/invoices/files/pdf-reader.js';
const PAYLOAD = '01,10,041012200111,12345678,113.00,20220808,12345678901234567890,A1B2';

/** The QR code of PAYLOAD as pdf.js hands images over: 1-bit grey (packed rows, 1 = white), RGB or RGBA, `scale` px a module, 4 modules quiet zone. */
function qrImage(kind: 1 | 2 | 3, scale = 3) {
  const { modules } = QRCode.create(PAYLOAD, { errorCorrectionLevel: 'M' });
  const size = (modules.size + 8) * scale;
  const dark = (x: number, y: number) => {
    const mx = Math.floor(x / scale) - 4;
    const my = Math.floor(y / scale) - 4;
    return mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx) === 1;
  };
  if (kind === 1) {
    const rowBytes = (size + 7) >> 3;
    const data = new Uint8Array(rowBytes * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (!dark(x, y)) data[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
    return { width: size, height: size, kind, data };
  }
  const channels = kind === 2 ? 3 : 4;
  const data = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const v = dark(x, y) ? 0 : 255;
      const at = (y * size + x) * channels;
      data.fill(v, at, at + 3);
      if (channels === 4) data[at + 3] = 255;
    }
  return { width: size, height: size, kind, data };
}

it.each([1, 2, 3] as const)('a QR code image of pdf.js kind %i decodes', (kind) => {
  expect(readQrCode(qrImage(kind))).toBe(PAYLOAD);
});

it('short or unknown image data is skipped, not read past its end', () => {
  const img = qrImage(2);
  expect(toRgba({ ...img, data: img.data.subarray(0, 10) })).toBeNull();
  expect(toRgba({ ...img, kind: 7 })).toBeNull();
  expect(readQrCode({ ...img, kind: 7 })).toBeNull();
});
