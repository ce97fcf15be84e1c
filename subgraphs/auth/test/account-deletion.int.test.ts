// In-app account deletion: the password is checked, the account and everything auth keeps about it go in one
// transaction, a bilingual confirmation mail is queued, UserDeleted is published and re-published until every
// service in ACCOUNT_ERASURE_SERVICES acknowledged with UserDataErased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type UserDataErased, type UserDeleted } from '@vegshare/kit';
import { waitFor } from '@vegshare/tools/testing/wait';
import {
  bearer,
  codeOf,
  GOOD_PASSWORD,
  LOGIN,
  REFRESH,
  register,
  startHarness,
  uniqueEmail,
  type Harness,
} from './harness.ts';

let h: Harness;
const deleted: UserDeleted[] = [];
const DELETE = 'mutation($p: String!) { deleteAccount(password: $p) }';

beforeAll(async () => {
  h = await startHarness({ ACCOUNT_ERASURE_SERVICES: 'user,farm', ACCOUNT_ERASURE_REPUBLISH_MS: '300' });
  await h.events.subscribe(topics.userDeleted, (e) => deleted.push(e));
});
afterAll(async () => h?.close());

describe('deleteAccount', () => {
  it('refuses a wrong or empty password and anonymous callers without deleting anything', async () => {
    const me = await register(h);
    const wrong = await h.gql(DELETE, { p: 'not my password' }, bearer(me.accessToken));
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.body.errors?.[0]?.extensions?.field).toBe('password');
    expect(codeOf(await h.gql(DELETE, { p: GOOD_PASSWORD }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(DELETE, { p: '' }, bearer(me.accessToken)))).toBe('BAD_USER_INPUT');
    expect(await h.db.user.count({ where: { id: me.user.id } })).toBe(1);
    expect(deleted.filter((d) => d.userId === me.user.id)).toHaveLength(0);
  });

  it('deletes the account, ends every session, mails a confirmation and re-publishes until every service acknowledged', async () => {
    const email = uniqueEmail('leaving');
    const me = await register(h, email);
    const second = await h.gql<{ login: { refreshToken: string } }>(LOGIN, {
      input: { email, password: GOOD_PASSWORD },
    });
    const res = await h.gql<{ deleteAccount: boolean }>(DELETE, { p: GOOD_PASSWORD }, bearer(me.accessToken));
    expect(res.body.data?.deleteAccount).toBe(true);

    expect(await h.db.user.count({ where: { id: me.user.id } })).toBe(0);
    expect(await h.db.session.count({ where: { userId: me.user.id } })).toBe(0);
    expect(await h.db.loginAudit.count({ where: { OR: [{ userId: me.user.id }, { email }] } })).toBe(0);
    const mail = await h.db.outboxMessage.findMany({ where: { recipient: email } });
    expect(mail.map((m) => m.kind)).toEqual(['ACCOUNT_DELETED']); // the pending verification mail is gone
    expect(mail[0]?.subject).toContain('deleted');
    expect(mail[0]?.body).toContain('удалены');

    // Nothing of the account works any more.
    expect(codeOf(await h.gql(REFRESH, { t: me.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REFRESH, { t: second.body.data!.login.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: GOOD_PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(DELETE, { p: GOOD_PASSWORD }, bearer(me.accessToken)))).toBe('UNAUTHENTICATED');

    // Published at once, then again while acknowledgements are missing.
    await waitFor(
      async () => deleted.filter((d) => d.userId === me.user.id).length,
      (n) => n >= 2,
      10_000,
    );
    await h.events.publish(topics.userDataErased, { userId: me.user.id, service: 'user' });
    await h.events.publish(topics.userDataErased, { userId: me.user.id, service: 'user' });
    await waitFor(
      async () => (await h.db.accountDeletion.findUniqueOrThrow({ where: { userId: me.user.id } })).erasedBy,
      (by) => by.length === 1,
    );
    expect((await h.db.accountDeletion.findUniqueOrThrow({ where: { userId: me.user.id } })).completedAt).toBeNull();
    await h.events.publish(topics.userDataErased, { userId: me.user.id, service: 'farm' });
    await waitFor(
      async () => (await h.db.accountDeletion.findUniqueOrThrow({ where: { userId: me.user.id } })).completedAt,
      (at) => at !== null,
    );
    const count = deleted.filter((d) => d.userId === me.user.id).length;
    await new Promise((r) => setTimeout(r, 900));
    expect(deleted.filter((d) => d.userId === me.user.id).length).toBe(count);

    // The email is free again.
    const again = await register(h, email);
    expect(again.user.id).not.toBe(me.user.id);
  });
});
