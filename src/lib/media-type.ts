// Recognises media containers by their first bytes ("magic numbers"), never by filename or declared type.

export interface SniffedType {
  format: string;
  mimeType: string;
  kind: 'video' | 'audio';
}

/** How many leading bytes `sniffMediaType` needs to see. */
export const SNIFF_BYTES = 4096;

const ascii = (bytes: Uint8Array, offset: number, length: number) =>
  String.fromCharCode(...bytes.subarray(offset, offset + length));

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  signature.every((value, i) => bytes[offset + i] === value);

const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

function sniffMp3(bytes: Uint8Array) {
  if (ascii(bytes, 0, 3) === 'ID3') return true;
  // An MPEG audio frame header: 11 set sync bits, then a layer field that is not "reserved".
  return bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0 && (bytes[1] & 0x06) !== 0;
}

function sniffMpegTs(bytes: Uint8Array) {
  return bytes.length >= 377 && bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47;
}

/** Identifies a video or audio container from its leading bytes, or returns null for anything else. */
export function sniffMediaType(bytes: Uint8Array): SniffedType | null {
  if (bytes.length < 12) return null;

  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (AUDIO_BRANDS.has(brand)) return { format: 'm4a', mimeType: 'audio/mp4', kind: 'audio' };
    if (brand === 'qt  ') return { format: 'mov', mimeType: 'video/quicktime', kind: 'video' };
    if (brand.startsWith('3g')) return { format: '3gp', mimeType: 'video/3gpp', kind: 'video' };
    return { format: 'mp4', mimeType: 'video/mp4', kind: 'video' };
  }
  // QuickTime files may open with other atoms before (or without) ftyp.
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(ascii(bytes, 4, 4))) {
    return { format: 'mov', mimeType: 'video/quicktime', kind: 'video' };
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    const head = ascii(bytes, 0, Math.min(bytes.length, 64));
    return head.includes('webm')
      ? { format: 'webm', mimeType: 'video/webm', kind: 'video' }
      : { format: 'mkv', mimeType: 'video/x-matroska', kind: 'video' };
  }
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const type = ascii(bytes, 8, 4);
    if (type === 'AVI ') return { format: 'avi', mimeType: 'video/x-msvideo', kind: 'video' };
    if (type === 'WAVE') return { format: 'wav', mimeType: 'audio/wav', kind: 'audio' };
    return null;
  }
  if (ascii(bytes, 0, 3) === 'FLV') return { format: 'flv', mimeType: 'video/x-flv', kind: 'video' };
  if (startsWith(bytes, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) {
    return { format: 'asf', mimeType: 'video/x-ms-asf', kind: 'video' };
  }
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) || startsWith(bytes, [0x00, 0x00, 0x01, 0xb3])) {
    return { format: 'mpeg', mimeType: 'video/mpeg', kind: 'video' };
  }
  if (sniffMpegTs(bytes)) return { format: 'ts', mimeType: 'video/mp2t', kind: 'video' };
  if (ascii(bytes, 0, 4) === 'OggS') return { format: 'ogg', mimeType: 'video/ogg', kind: 'video' };
  if (ascii(bytes, 0, 4) === 'fLaC') return { format: 'flac', mimeType: 'audio/flac', kind: 'audio' };
  if (sniffMp3(bytes)) return { format: 'mp3', mimeType: 'audio/mpeg', kind: 'audio' };
  return null;
}
