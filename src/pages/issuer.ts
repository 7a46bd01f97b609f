import type { APIRoute } from 'astro';
import { issuerProfile } from '#server/certificates/index.ts';

// The issuer of every certificate credential, as an Open Badges 3.0 Profile.
export const GET: APIRoute = () =>
  Response.json(issuerProfile(), {
    headers: { 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' },
  });
