import type { RequestContext } from '#server/kernel/context.ts';
import type { Executor } from '#server/platform/db.ts';
import { recordAudit } from '#server/audit/index.ts';
import { composeMail, sendMail } from '#server/platform/mail.ts';
import { settings } from '#server/platform/settings.ts';
import { allowed, RULES } from '#server/platform/throttle.ts';
import { inviteProblem } from '#lib/team-rules.ts';
import * as repo from './repo.ts';
import { insertNewInvite, requireLeader } from './teams.ts';

const DAY = 86_400_000;
/** An address already mailed an invitation to this team is mailed again only after this long. */
export const RESEND_AFTER_DAYS = 7;
/** How long an invited address is kept: long enough to stop repeats, no longer. */
export const KEEP_INVITED_ADDRESS_DAYS = 30;

export interface EmailInviteResult {
  sent: number;
  alreadyMembers: number;
  /** Mailed an invitation to this team in the last RESEND_AFTER_DAYS days. */
  alreadyInvited: number;
  /** Listed more than once in what was pasted. */
  repeated: number;
  /** Not sent: the leader's hourly limit was reached, or the recipient's daily one. */
  held: number;
  failed: number;
}

/**
 * The link the mails carry: the newest invite that works for a week more without a use
 * limit, or a new one (14 days, no limit) so a list of 50 never runs out of uses.
 */
async function invitationCode(
  ctx: RequestContext,
  teamId: string,
  now: Date,
): Promise<{ code: string; newInviteId?: string }> {
  const reusable = (await repo.listInvites(ctx.db, teamId)).find(
    (invite) =>
      !inviteProblem(invite, now) &&
      invite.max_uses === null &&
      invite.expires_at.getTime() - now.getTime() >= RESEND_AFTER_DAYS * DAY,
  );
  if (reusable) return { code: reusable.code };
  const created = await insertNewInvite(ctx.db, {
    teamId,
    createdBy: ctx.user.id,
    expiresAt: new Date(now.getTime() + 14 * DAY),
    maxUses: null,
  });
  return { code: created.code, newInviteId: created.inviteId };
}

/**
 * One invitation mail per address. People already in the team, and addresses mailed for
 * this team in the last week, are skipped (the row per team and address makes the same
 * list sent twice, or at once from two tabs, mail each address once). The leader's hourly
 * limit and each recipient's daily one hold back what is over them.
 */
export async function inviteByEmail(
  ctx: RequestContext,
  input: { teamId: string; addresses: string[]; repeated: number },
): Promise<EmailInviteResult> {
  const { team } = await requireLeader(ctx, input.teamId);
  const now = ctx.now ?? new Date();
  const members = new Set((await repo.listMembers(ctx.db, input.teamId)).map((m) => m.email.toLowerCase()));
  const result: EmailInviteResult = {
    sent: 0,
    alreadyMembers: 0,
    alreadyInvited: 0,
    repeated: input.repeated,
    held: 0,
    failed: 0,
  };
  const invite = await invitationCode(ctx, input.teamId, now);
  const url = `${settings().PUBLIC_URL}/join/${invite.code}`;
  let overLeaderLimit = false;
  for (const email of input.addresses) {
    if (members.has(email)) {
      result.alreadyMembers += 1;
      continue;
    }
    if (overLeaderLimit) {
      result.held += 1;
      continue;
    }
    const claimed = await repo.claimEmailInvitation(ctx.db, {
      teamId: input.teamId,
      email,
      invitedBy: ctx.user.id,
      resendAfter: new Date(now.getTime() - RESEND_AFTER_DAYS * DAY),
    });
    if (!claimed) {
      result.alreadyInvited += 1;
      continue;
    }
    overLeaderLimit = !(await allowed(ctx.db, `invite:account:${ctx.user.id}`, RULES.inviteMailPerAccount));
    if (overLeaderLimit || !(await allowed(ctx.db, `invite:address:${email}`, RULES.inviteMailPerAddress))) {
      await repo.releaseEmailInvitation(ctx.db, input.teamId, email);
      result.held += 1;
      continue;
    }
    try {
      await sendMail(ctx.db, invitationMail({ to: email, teamName: team.name, leaderName: ctx.user.name, url }));
      result.sent += 1;
    } catch (error) {
      await repo.releaseEmailInvitation(ctx.db, input.teamId, email);
      result.failed += 1;
      console.error(`[teams] an invitation mail was not sent: ${(error as Error).message}`);
    }
  }
  // Counts only: the addresses are people who have not agreed to be in our log. An invite
  // made for these mails is named here (one entry per submission), never its code.
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: 'team.invite-by-email',
    target: `team:${input.teamId}`,
    details: { ...result, ...(invite.newInviteId ? { newInviteId: invite.newInviteId } : {}) },
  });
  return result;
}

function invitationMail(invitation: { to: string; teamName: string; leaderName: string; url: string }) {
  // The team's and the leader's names are typed by people: quoted and named as theirs, after Rounds' own words.
  return composeMail({
    to: invitation.to,
    subject: 'An invitation to join a team on Rounds',
    greeting: 'Hello,',
    paragraphs: [
      'You are invited to join a team on Rounds, where care teams learn together in five-minute lessons.',
      `Team: “${invitation.teamName}”. Invited by: ${invitation.leaderName}.`,
      'Open the link to create an account (or sign in) and join. It works for at least a week.',
    ],
    action: { label: 'Join the team', url: invitation.url },
    footer: 'If you do not know this person, you can ignore this message: nothing happens unless you open the link.',
  });
}

/** The daily tidy-up: addresses invited more than KEEP_INVITED_ADDRESS_DAYS ago are forgotten. */
export function forgetOldEmailInvitations(db: Executor, now = new Date()): Promise<number> {
  return repo.deleteEmailInvitationsBefore(db, new Date(now.getTime() - KEEP_INVITED_ADDRESS_DAYS * 86_400_000));
}
