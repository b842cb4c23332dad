// The live camera: the back camera's video, a decoding loop a few times a second, and the torch where the
// device offers one (MediaTrackCapabilities.torch, Chrome on Android; elsewhere the button stays hidden).
import { decodeFrom } from './qr-decoder.js';

/**
 * Starts the camera into `video` and calls onText(text) for every QR code seen until stop() is called.
 * Resolves to { stop, torch: null | { on: boolean, toggle() } }; rejects when there is no camera or the
 * consumer refused it (the caller offers the photo and typing fall-backs).
 */
export async function startCamera(video, onText) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw Object.assign(new Error('no camera API'), { name: 'NotSupportedError' });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } } });
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  video.muted = true;
  await video.play();
  const [track] = stream.getVideoTracks();
  let stopped = false;
  let timer = null;
  const tick = () => {
    if (stopped) return;
    try {
      const text = decodeFrom(video, video.videoWidth, video.videoHeight);
      if (text) onText(text);
    } catch {
      // A frame that is not ready yet; the next one will be.
    }
    timer = setTimeout(tick, 200);
  };
  tick();
  const caps = track && track.getCapabilities ? track.getCapabilities() : {};
  const torch = caps && caps.torch
    ? {
        on: false,
        async toggle() {
          this.on = !this.on;
          await track.applyConstraints({ advanced: [{ torch: this.on }] });
          return this.on;
        },
      }
    : null;
  return {
    torch,
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
    },
  };
}
