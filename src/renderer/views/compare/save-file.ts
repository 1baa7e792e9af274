/**
 * Save… for a file read from an image: its bytes as a download through a Blob URL. The same path works in
 * `berth serve`'s browser and in the Electron renderer (Electron asks where to save a download when the app
 * sets no `will-download` handler), with no request of its own: the bytes come from `images.readFile`.
 */
import type { FileContent } from '../../../shared/types/layers';

/** The bytes of a read: base64 for binary content; text is sent only when it is valid UTF-8, so encoding it gives them back. */
export function fileBytes(file: FileContent): Uint8Array<ArrayBuffer> {
  if (!file.binary) return new TextEncoder().encode(file.content);
  const raw = atob(file.content);
  const bytes = new Uint8Array(raw.length);
  for (let index = 0; index < raw.length; index++) bytes[index] = raw.charCodeAt(index);
  return bytes;
}

/** Offers a read file as a download named after its path's last part. */
export function downloadFile(file: FileContent, path: string): void {
  const url = URL.createObjectURL(new Blob([fileBytes(file)], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = path.split('/').filter(Boolean).pop() ?? 'file';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the URL to the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
