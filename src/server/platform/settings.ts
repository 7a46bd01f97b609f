import { z } from 'astro/zod';
import { trustedProxyCount } from '#lib/client-ip.ts';

// Every setting Rounds reads, declared and validated once. Start-up stops with the
// setting's name when a value is wrong.
const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const schema = z.object({
  HOST: z.string().trim().min(1).default('localhost'),
  PORT: z.coerce.number().int().min(1).max(65535).default(4321),
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: z.string().trim().min(3).default('Rounds <rounds@localhost>'),
  LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  // How many reverse proxies stand in front of Rounds (true = 1); see docs/settings.md.
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(true|false|[0-9])$/, 'use false, true (one proxy) or the number of proxies, 1–9')
    .default('false')
    .transform(trustedProxyCount),
  ORGANIZATION_NAME: z.string().trim().min(1).max(200).default('Rounds'),
  ORGANIZATION_ADDRESS: z.string().trim().max(300).default(''),
  ACCREDITATION_STATEMENT: z.string().trim().max(1000).default(''),
  // The issuer's contact address in signed credentials and at /issuer; omitted when unset.
  ORGANIZATION_EMAIL: optionalString.pipe(z.email().optional()),
  // A certificate's contact hours need at least this fraction of each lesson's stated
  // minutes recorded in the lesson (docs/settings.md, decision 0024); 0 turns the check off.
  LESSON_TIME_FLOOR: z.coerce.number().min(0).max(1).default(0.25),
  // 32 random bytes, base64 (`openssl rand -base64 32`): encrypts single sign-on client
  // secrets (decision 0042). Unset: single sign-on cannot be set up or used.
  SECRETS_KEY: optionalString.pipe(
    z
      .string()
      .refine(
        (value) => Buffer.from(value, 'base64').length === 32,
        'use 32 random bytes in base64: openssl rand -base64 32',
      )
      .optional(),
  ),
  // The push services Rounds sends Web Push to (decision 0044): origins, a leading `*.` for
  // any subdomain. A browser's subscription elsewhere is refused, so nobody can make the
  // server post to an address of their choosing.
  PUSH_SERVICES: z
    .string()
    .trim()
    .default(
      'https://fcm.googleapis.com https://*.push.services.mozilla.com https://web.push.apple.com https://*.notify.windows.com',
    )
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$/i, 'list origins such as https://fcm.googleapis.com'),
      ),
    ),
});

export type Settings = z.infer<typeof schema> & { PUBLIC_URL: string };

export class SettingsError extends Error {}

export function parseSettings(env: Record<string, string | undefined>): Settings {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new SettingsError(`Rounds cannot start: invalid setting\n${lines.join('\n')}`);
  }
  const values = result.data;
  const publicUrl = (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  return { ...values, PUBLIC_URL: publicUrl };
}

let cached: Settings | undefined;

export function settings(): Settings {
  cached ??= parseSettings(process.env);
  return cached;
}
