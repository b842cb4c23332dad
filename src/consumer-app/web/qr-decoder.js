// QR decoding in the page with jsQR (pure JavaScript, no WebAssembly, so the strict CSP needs no
// 'wasm-unsafe-eval'; the browser's BarcodeDetector is missing on many phones). Used for live camera
// frames and for a picked photo.
import jsQR from 'jsqr';

const canvas = document.createElement('canvas');
const ctx = canvas.getContext('2d', { willReadFrequently: true });

/** Decodes the QR code in an image source (video, ImageBitmap, img), scaled to at most maxSide pixels. Returns its text or null. */
export function decodeFrom(source, width, height, maxSide = 800) {
  if (!width || !height) return null;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  canvas.width = w;
  canvas.height = h;
  ctx.drawImage(source, 0, 0, w, h);
  const image = ctx.getImageData(0, 0, w, h);
  const found = jsQR(image.data, w, h, { inversionAttempts: 'attemptBoth' });
  return found ? found.data : null;
}

/** Decodes a picked photo (File): tries the whole picture at two sizes, since phone photos are large. */
export async function decodeFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return decodeFrom(bitmap, bitmap.width, bitmap.height, 1200) || decodeFrom(bitmap, bitmap.width, bitmap.height, 600);
  } finally {
    if (bitmap.close) bitmap.close();
  }
}
