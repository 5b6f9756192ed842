import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config.js';

// HS256 is pinned on both signing and verification, so a token signed with another algorithm is rejected.
const ALGORITHM = 'HS256';
const PLAYBACK_AUDIENCE_SUFFIX = ':playback';

function secretKey(config: Config) {
  return new TextEncoder().encode(config.JWT_SECRET);
}

/** Issues the access token returned by register and login. */
export async function issueAccessToken(config: Config, userId: number, now: Date) {
  return new SignJWT({ typ: 'access' })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(String(userId))
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(now.getTime() / 1000) + config.JWT_TTL_SECONDS)
    .sign(secretKey(config));
}

export type TokenCheck<T> = { ok: true; value: T } | { ok: false; reason: 'expired' | 'invalid' };

async function verify(config: Config, token: string, audience: string, now: Date) {
  try {
    const { payload } = await jwtVerify(token, secretKey(config), {
      algorithms: [ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience,
      requiredClaims: ['exp', 'sub'],
      currentDate: now,
    });
    return { ok: true as const, payload };
  } catch (error) {
    return { ok: false as const, reason: error instanceof errors.JWTExpired ? ('expired' as const) : ('invalid' as const) };
  }
}

/** Verifies an access token and returns the user id it was issued to. */
export async function verifyAccessToken(config: Config, token: string, now: Date): Promise<TokenCheck<number>> {
  const result = await verify(config, token, config.JWT_AUDIENCE, now);
  if (!result.ok) return result;
  const userId = Number(result.payload.sub);
  if (result.payload.typ !== 'access' || !Number.isSafeInteger(userId)) return { ok: false, reason: 'invalid' };
  return { ok: true, value: userId };
}

/**
 * Issues a short-lived token that lets a player without an Authorization header fetch one video's
 * playlist and segments. Its audience differs from access tokens, so neither can stand in for the other.
 */
export async function issuePlaybackToken(config: Config, userId: number, videoId: number, now: Date) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ typ: 'playback', vid: videoId })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(String(userId))
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE + PLAYBACK_AUDIENCE_SUFFIX)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + config.PLAYBACK_TOKEN_TTL_SECONDS)
    .sign(secretKey(config));
}

/** Verifies a playback token and returns the user and video it was issued for. */
export async function verifyPlaybackToken(
  config: Config,
  token: string,
  now: Date,
): Promise<TokenCheck<{ userId: number; videoId: number }>> {
  const result = await verify(config, token, config.JWT_AUDIENCE + PLAYBACK_AUDIENCE_SUFFIX, now);
  if (!result.ok) return result;
  const userId = Number(result.payload.sub);
  const videoId = Number(result.payload.vid);
  if (result.payload.typ !== 'playback' || !Number.isSafeInteger(userId) || !Number.isSafeInteger(videoId)) {
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, value: { userId, videoId } };
}
