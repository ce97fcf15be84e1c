// The push-token lifecycle of one install against the real user subgraph (its device registry): no system prompt at
// sign-in, silent re-registration when allowed before, the prompt at a sensible moment, unregistration at sign-out.
// The OS side (permission prompt, token) cannot exist outside a phone and is scripted.
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../../subgraphs/user/test/harness.ts';
import { RegisterPushDeviceDocument, UnregisterPushDeviceDocument } from '../../src/graphql/operations';
import { PushLifecycle, type PermissionState, type PushOs, type PushRegistry } from '../../src/push/lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { PUSH_WORKER: 'false' } });
});
afterAll(async () => h?.close());

function os(initial: PermissionState, answer: PermissionState, platform = 'android') {
  let permission = initial;
  const token = `ExponentPushToken[${randomUUID().replaceAll('-', '').slice(0, 22)}]`;
  const script = {
    prompts: 0,
    token,
    api: {
      platform,
      supported: platform !== 'web',
      getPermission: async () => permission,
      requestPermission: async () => {
        script.prompts += 1;
        if (permission === 'undetermined') permission = answer;
        return permission;
      },
      getToken: async () => token,
    } satisfies PushOs,
  };
  return script;
}

/** The registry as the app calls it: the app's own operations, sent to the user subgraph with the user's token. */
function registry(access: string): PushRegistry {
  const call = async (query: string, variables: Record<string, unknown>) => {
    const res = await h.gql(query, variables, access);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  };
  return {
    register: (token, platform) => call(print(RegisterPushDeviceDocument), { input: { token, platform } }),
    unregister: (token) => call(print(UnregisterPushDeviceDocument), { token }),
  };
}

describe('push lifecycle', () => {
  it('does not prompt at sign-in, prompts once when asked, registers on consent and unregisters at sign-out', async () => {
    const userId = randomUUID();
    const phone = os('undetermined', 'granted');
    const push = new PushLifecycle(phone.api, registry(await h.tokens.mint(userId)));
    expect(await push.onSignedIn()).toBe('off');
    expect(phone.prompts).toBe(0);
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(0);

    expect(await push.enable()).toBe('on');
    expect(phone.prompts).toBe(1);
    const device = await h.db.pushDevice.findUniqueOrThrow({ where: { token: phone.token } });
    expect(device).toMatchObject({ userId, platform: 'ANDROID' });

    await push.onSignOut();
    expect(await h.db.pushDevice.count({ where: { token: phone.token } })).toBe(0);
    expect(push.status).toBe('off');
  });

  it('re-registers silently at the next start when permission was given before', async () => {
    const userId = randomUUID();
    const phone = os('granted', 'granted', 'ios');
    const push = new PushLifecycle(phone.api, registry(await h.tokens.mint(userId)));
    expect(await push.onSignedIn()).toBe('on');
    expect(phone.prompts).toBe(0);
    expect((await h.db.pushDevice.findUniqueOrThrow({ where: { token: phone.token } })).platform).toBe('IOS');
  });

  it('respects a refusal and never registers on the web', async () => {
    const userId = randomUUID();
    const refused = os('undetermined', 'denied');
    const push = new PushLifecycle(refused.api, registry(await h.tokens.mint(userId)));
    expect(await push.enable()).toBe('denied');
    expect(await push.enable()).toBe('denied');
    expect(refused.prompts).toBe(1);
    const web = new PushLifecycle(os('granted', 'granted', 'web').api, registry(await h.tokens.mint(userId)));
    expect(await web.onSignedIn()).toBe('unsupported');
    expect(await web.enable()).toBe('unsupported');
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(0);
  });

  it('lets the next person on the phone take the device over after a sign-out without network', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const phone = os('granted', 'granted');
    const firstPush = new PushLifecycle(phone.api, registry(await h.tokens.mint(first)));
    await firstPush.onSignedIn();
    const offline: PushRegistry = {
      register: async () => undefined,
      unregister: () => Promise.reject(new Error('offline')),
    };
    await new PushLifecycle(phone.api, offline).onSignOut(); // nothing to unregister on a fresh instance
    await firstPush.onSignOut().catch(() => undefined);
    await new PushLifecycle(phone.api, registry(await h.tokens.mint(second))).onSignedIn();
    expect((await h.db.pushDevice.findUniqueOrThrow({ where: { token: phone.token } })).userId).toBe(second);
  });
});
