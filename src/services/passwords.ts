// PBKDF2-SHA256 through WebCrypto runs on Node and Workers alike. Production Workers reject PBKDF2 above
// 100,000 iterations (local wrangler does not), so the config caps the count there. Every hash stores its
// algorithm and iteration count, so a later release can raise them and rehash at the next login.

const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const KEY_BITS = 256;

function toBase64(bytes: Uint8Array) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** Hashes a password into `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64 fields). */
export async function hashPassword(password: string, iterations: number) {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${ALGORITHM}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Checks a password against a stored hash; `needsRehash` is true when the stored parameters are weaker than today's. */
export async function verifyPassword(password: string, stored: string, currentIterations: number) {
  const [algorithm, iterationText, saltText, hashText] = stored.split('$');
  const iterations = Number(iterationText);
  if (algorithm !== ALGORITHM || !Number.isInteger(iterations) || !saltText || !hashText) {
    return { valid: false, needsRehash: false };
  }

  const expected = fromBase64(hashText);
  const actual = await derive(password, fromBase64(saltText), iterations);
  return { valid: constantTimeEqual(actual, expected), needsRehash: iterations < currentIterations };
}
