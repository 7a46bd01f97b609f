import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { publishedKeys } from '#server/certificates/index.ts';

// Public keys for checking certificate credentials: every key ever used, so credentials
// signed before a key rotation keep verifying. Short cache: a rotation shows within minutes.
export const GET: APIRoute = async () =>
  Response.json(await publishedKeys(await db()), {
    headers: {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
      'access-control-allow-origin': '*',
    },
  });
