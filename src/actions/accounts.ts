import { defineAction, ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { db } from '#server/platform/db.ts';
import * as accounts from '#server/accounts/index.ts';
import {
  clearSessionCookie,
  knownDeviceToken,
  setKnownDeviceCookie,
  setSessionCookie,
} from '#server/accounts/index.ts';
import { requestJobRun } from '#server/platform/jobs.ts';
import { beginSsoSignIn, providerSignOutUrl, setSsoStateCookie, ssoForEmail } from '#server/sso/index.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { deleteMyAccount } from '#server/my-data/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';
import {
  currentPasswordField,
  emailField,
  nameField,
  passwordField,
  timeZoneField,
  tokenField,
} from '#lib/validation.ts';
import { safeNextPath } from '#lib/safe-next.ts';

const nextField = z
  .string()
  .max(2000)
  .nullish()
  .transform((value) => safeNextPath(value));

export const accountActions = {
  signUp: defineAction({
    accept: 'form',
    input: z.object({
      name: nameField,
      email: emailField,
      password: passwordField,
      // Filled in from the browser's own zone; UTC when nothing came (changed later under Account).
      timeZone: timeZoneField.nullish(),
      next: nextField,
    }),
    handler: (input, ctx) =>
      run(async () => {
        const request = { ip: ctx.locals.clientIp, userAgent: ctx.request.headers.get('user-agent') ?? '' };
        const { token, session, deviceToken } = await accounts.signUp(
          await db(),
          { ...input, timeZone: input.timeZone ?? 'UTC' },
          request,
        );
        setSessionCookie(ctx.cookies, token, session.expires_at, ctx.locals.secureCookies);
        setKnownDeviceCookie(ctx.cookies, deviceToken, ctx.locals.secureCookies);
        return { next: input.next ?? '/' };
      }),
  }),

  signIn: defineAction({
    accept: 'form',
    // The password may be empty: at a domain with single sign-on that sends the person to
    // their organisation's provider (decision 0042); anywhere else it is asked for.
    input: z.object({
      email: emailField,
      password: z.string().max(256, 'That password is too long.').optional(),
      next: nextField,
    }),
    handler: (input, ctx) =>
      run(async () => {
        const database = await db();
        const sso = await ssoForEmail(database, input.email);
        const toProvider = async (organisationId: string) => {
          const { url, state } = await beginSsoSignIn(database, {
            organisationId,
            email: input.email,
            next: input.next,
          });
          setSsoStateCookie(ctx.cookies, state, ctx.locals.secureCookies);
          return { next: url };
        };
        if (sso && !input.password) return toProvider(sso.organisationId);
        if (!input.password) throw new FieldError('password', 'Enter your password.');
        const request = {
          ip: ctx.locals.clientIp,
          userAgent: ctx.request.headers.get('user-agent') ?? '',
          deviceToken: knownDeviceToken(ctx.cookies, ctx.locals.secureCookies),
        };
        let signedIn;
        try {
          signedIn = await accounts.signIn(database, { email: input.email, password: input.password }, request, {
            ssoRequired: sso?.required ? { organisationId: sso.organisationId } : undefined,
          });
        } catch (error) {
          if (sso && error instanceof accounts.UseSingleSignOn) return toProvider(sso.organisationId);
          throw error;
        }
        const { token, session, deviceToken } = signedIn;
        // A fresh token at every sign-in; the old one (if any) is dropped.
        if (ctx.locals.session) await accounts.signOut(database, ctx.locals.session.id);
        setSessionCookie(ctx.cookies, token, session.expires_at, ctx.locals.secureCookies);
        setKnownDeviceCookie(ctx.cookies, deviceToken, ctx.locals.secureCookies);
        return { next: input.next ?? '/' };
      }),
  }),

  signOut: defineAction({
    accept: 'form',
    handler: (_input, ctx) =>
      run(async () => {
        // A session that began at an organisation's provider also ends there, where it offers that.
        const providerSignOut = ctx.locals.session
          ? await providerSignOutUrl(await db(), ctx.locals.session.id)
          : undefined;
        if (ctx.locals.session) await accounts.signOut(await db(), ctx.locals.session.id);
        clearSessionCookie(ctx.cookies, ctx.locals.secureCookies);
        return { signedOut: true, next: providerSignOut ?? '/' };
      }),
  }),

  resendVerification: defineAction({
    accept: 'form',
    handler: (_input, ctx) =>
      run(async () => {
        return { sent: await accounts.resendVerificationMail(await actionContext(ctx)) };
      }),
  }),

  verifyEmail: defineAction({
    accept: 'form',
    input: z.object({ token: tokenField }),
    handler: (input) =>
      run(async () => {
        const verified = await accounts.verifyEmail(await db(), input.token);
        if (!verified)
          throw new ActionError({
            code: 'BAD_REQUEST',
            message: 'This link has expired or was already used. Sign in and ask for a new one on your account page.',
          });
        return { verified };
      }),
  }),

  requestPasswordReset: defineAction({
    accept: 'form',
    input: z.object({ email: emailField }),
    handler: (input, ctx) =>
      run(async () => {
        await accounts.requestPasswordReset(await db(), input.email, { ip: ctx.locals.clientIp, userAgent: '' });
        // The link goes out from the job runner, off this request, in a moment.
        requestJobRun();
        return { email: input.email };
      }),
  }),

  resetPassword: defineAction({
    accept: 'form',
    input: z.object({ token: tokenField, password: passwordField }),
    handler: (input, ctx) =>
      run(async () => {
        const request = { ip: ctx.locals.clientIp, userAgent: ctx.request.headers.get('user-agent') ?? '' };
        const { token, session, deviceToken } = await accounts.resetPassword(await db(), input, request);
        setSessionCookie(ctx.cookies, token, session.expires_at, ctx.locals.secureCookies);
        setKnownDeviceCookie(ctx.cookies, deviceToken, ctx.locals.secureCookies);
        return { reset: true };
      }),
  }),

  undoEmailChange: defineAction({
    accept: 'form',
    input: z.object({ token: tokenField }),
    handler: (input, ctx) =>
      run(async () => {
        const { resetToken } = await accounts.undoEmailChange(await db(), input.token);
        // Every session ended, this browser's too.
        clearSessionCookie(ctx.cookies, ctx.locals.secureCookies);
        return { resetToken };
      }),
  }),

  changeName: defineAction({
    accept: 'form',
    input: z.object({ name: nameField }),
    handler: (input, ctx) =>
      run(async () => {
        await accounts.changeName(await actionContext(ctx), input.name);
        // The page shows it at once (locals.user was read before the change).
        return { saved: 'name', name: input.name };
      }),
  }),

  changeTimeZone: defineAction({
    accept: 'form',
    input: z.object({ timeZone: timeZoneField }),
    handler: (input, ctx) =>
      run(async () => {
        await accounts.changeTimeZone(await actionContext(ctx), input.timeZone);
        // The page shows it at once (locals.user was read before the change).
        return { saved: 'timeZone', timeZone: input.timeZone };
      }),
  }),

  changeEmail: defineAction({
    accept: 'form',
    input: z.object({ email: emailField, currentPassword: currentPasswordField }),
    handler: (input, ctx) =>
      run(async () => {
        const context = await actionContext(ctx); // refuses a signed-out request before the session is read
        const keepSessionId = ctx.locals.session!.id;
        const verificationMail = await accounts.changeEmail(context, { ...input, keepSessionId });
        return { saved: 'email', verificationMail };
      }),
  }),

  changePassword: defineAction({
    accept: 'form',
    input: z.object({ currentPassword: currentPasswordField, password: passwordField }),
    handler: (input, ctx) =>
      run(async () => {
        const context = await actionContext(ctx); // refuses a signed-out request before the session is read
        const keepSessionId = ctx.locals.session!.id;
        await accounts.changePassword(context, { ...input, keepSessionId });
        return { saved: 'password' };
      }),
  }),

  revokeSession: defineAction({
    accept: 'form',
    input: z.object({ sessionId: z.string().regex(/^[a-z0-9]{1,64}$/, 'That session has already ended.') }),
    handler: (input, ctx) =>
      run(async () => {
        await accounts.endMySession(await actionContext(ctx), input.sessionId);
        if (input.sessionId === ctx.locals.session?.id) clearSessionCookie(ctx.cookies, ctx.locals.secureCookies);
        return { revoked: 1 };
      }),
  }),

  revokeOtherSessions: defineAction({
    accept: 'form',
    handler: (_input, ctx) =>
      run(async () => {
        const revoked = await accounts.endMyOtherSessions(await actionContext(ctx), ctx.locals.session!.id);
        return { revoked };
      }),
  }),

  deleteAccount: defineAction({
    accept: 'form',
    input: z.object({
      confirmEmail: z.string({ error: 'Type your email address to confirm.' }).max(254),
      currentPassword: currentPasswordField,
    }),
    handler: (input, ctx) =>
      run(async () => {
        await deleteMyAccount(await actionContext(ctx), input);
        clearSessionCookie(ctx.cookies, ctx.locals.secureCookies);
        return { deleted: true };
      }),
  }),
};
