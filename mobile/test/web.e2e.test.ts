// The app's web build in headless Chromium against the whole supergraph started in this process, as in production
// (NODE_ENV=production: the old `register` is off and mail is only sent, so codes and links are read from the mail
// auth queued): sign up with the emailed code, browse, rent a plot, see the farm's work (task completed) and a camera
// going live arrive without a reload; then, each with its own visitor: a task completed while the connection was down
// shows up after reconnecting, the Russian UI with a deep link, a password reset through the emailed link, and a
// sign-up completed through the emailed link followed by account deletion, and social sign-in with a Google-like
// OpenID provider run here (oidc-provider): a full-page redirect there and back to /auth/callback, for a new account and
// for an existing one whose password links the provider.
// Screenshots go to test-results/screenshots; `npm run screenshots` (VEGSHARE_SCREENSHOTS=1) refreshes the tracked ones.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { topics, type NotificationRequested } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { startStack, type RunningStack } from '../../tools/src/stack.ts';
import { publishCamera, type CameraPublisher } from '../../tools/src/demo-cameras/camera-publisher.ts';
import { startRtmpServer, type RtmpServer } from '../../tools/src/demo-cameras/rtmp-server.ts';
import { ensureTestPattern, TEST_CAMERA_LIKE } from '../../tools/src/demo-cameras/test-pattern.ts';
import { resolveFfmpeg } from '../../subgraphs/transcoding/src/domain/media/ffmpeg-binary.ts';
import { createTestDatabase, type TestDatabase } from '../../tools/src/testing/database.ts';
import { startLocalS3, type LocalS3 } from '../../tools/src/testing/s3.ts';
import { startFakeProvider, type FakeProvider } from '../../tools/src/testing/social-providers.ts';
import { serveWeb, type WebServer } from '../scripts/serve-web.mts';
import { chromiumArgs, chromiumPath, gql, hasChromium, signIn } from './support.ts';

const tracked = process.env['VEGSHARE_SCREENSHOTS'] === '1';
const shots = tracked
  ? join(import.meta.dirname, '..', 'screenshots')
  : join(import.meta.dirname, '..', 'test-results', 'screenshots');
if (!hasChromium)
  console.warn(
    `[mobile web e2e] SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

const PASSWORD = 'carrots-and-beans-42';
/**
 * Each browser comes from its own client address, as the ingress reports it (the web server in front of the gateway
 * plays the ingress, a trusted proxy): auth limits sign-up and reset mails per client address.
 */
let visitors = 0;
const clientAddress = () => ({ 'x-forwarded-for': `198.51.100.${(visitors += 1)}` });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!hasChromium)('customer app (web build) in headless Chromium', () => {
  let db: TestDatabase;
  let s3: LocalS3;
  let stack: RunningStack;
  let web: WebServer;
  /** A Google-like OpenID provider; auth finds it by discovery, the browser signs in there. */
  let google: FakeProvider;
  let browser: Browser;
  let page: Page;
  let adminToken: string;
  let rtmp: RtmpServer;
  let bedCamera: CameraPublisher;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    db = await createTestDatabase();
    s3 = await startLocalS3();
    // A real camera for the plot: a test pattern published to an RTMP server; the transcoder (with the ffmpeg it finds,
    // as `npm start` does) makes it LIVE — nothing in this test reports a stream status itself.
    const { ffmpeg } = await resolveFfmpeg();
    rtmp = await startRtmpServer();
    const clip = await ensureTestPattern(
      ffmpeg,
      join(import.meta.dirname, '..', 'test-results', 'camera-720p.mp4'),
      TEST_CAMERA_LIKE,
    );
    bedCamera = publishCamera(ffmpeg, clip, `${rtmp.url}/farm/bed`);
    // The web app's origin is known before the stack starts: it is the redirect URI social sign-in returns to.
    const webPort = await freePort();
    const appCallback = `http://127.0.0.1:${webPort}/auth/callback`;
    google = await startFakeProvider('google', { redirectUris: [appCallback] });
    stack = await startStack({
      databaseUrl: db.url,
      env: {
        ...s3.env,
        PUSH_WORKER: 'false',
        NODE_ENV: 'production',
        AUTH_KEY_ENCRYPTION_SECRET: 'mobile-e2e-key-encryption-secret',
        TRUSTED_PROXIES: '127.0.0.1/32',
        // Production wants https providers; a loopback one (this test's) is the exception.
        ...google.env,
        SOCIAL_REDIRECT_URIS: appCallback,
      },
      seed: true,
    });
    web = await serveWeb({ gatewayUrl: stack.gatewayUrl, port: webPort });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    page = await browser.newPage({
      viewport: { width: 430, height: 900 },
      deviceScaleFactor: 1,
      locale: 'en-GB',
      extraHTTPHeaders: clientAddress(),
    });
    adminToken = await signIn(stack.gatewayUrl, demo.users.admin.email, demo.password);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await stack?.stop();
    await bedCamera?.stop();
    await rtmp?.stop();
    await google?.close();
    await s3?.stop();
    await db?.drop();
  });

  const shotOf = (p: Page) => (name: string) => p.screenshot({ path: join(shots, `${name}.png`) });
  const onFailure = (p: () => Page | undefined, name: string) => async () => {
    mkdirSync(join(import.meta.dirname, '..', 'test-results'), { recursive: true });
    await p()
      ?.screenshot({ path: join(import.meta.dirname, '..', 'test-results', `${name}-failure.png`), fullPage: true })
      .catch(() => undefined);
  };

  /** A new visitor (own cookies, storage and memory) with the given browser language. */
  async function visitor(locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 430, height: 900 },
      deviceScaleFactor: 1,
      locale,
      extraHTTPHeaders: clientAddress(),
    });
    return { context, page: await context.newPage() };
  }

  /** The mail auth queued for an address (production sends it; nothing shows it on a dev mailbox). */
  async function mailTo(email: string): Promise<{ kind: string; body: string }[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (
        await client.query<{ kind: string; body: string }>(
          'SELECT kind, body FROM auth.outbox WHERE recipient = $1 ORDER BY created_at',
          [email],
        )
      ).rows;
    } finally {
      await client.end();
    }
  }

  /** The code of the sign-up mail, once it is there. */
  async function signUpCode(email: string): Promise<string> {
    let code: string | undefined;
    await expect
      .poll(
        async () =>
          (code = /Verification code: ([A-Za-z0-9_-]+)/.exec(
            (await mailTo(email)).find((m) => m.kind === 'EMAIL_VERIFICATION')?.body ?? '',
          )?.[1]),
        { timeout: 20_000 },
      )
      .toBeTruthy();
    return code!;
  }

  /** Fills the sign-up form and sends it; the app then asks for the emailed code. */
  async function startSignUpThroughUi(p: Page, email: string, name: string): Promise<void> {
    await p.getByTestId('auth-screen').waitFor();
    await p.getByTestId('mode-signUp').click();
    await p.getByTestId('display-name').fill(name);
    await p.getByTestId('email').fill(email);
    await p.getByTestId('password').fill(PASSWORD);
    await p.getByTestId('submit-auth').click();
    await p.getByTestId('sign-up-code-sent').waitFor({ timeout: 20_000 });
  }

  async function signUpThroughUi(p: Page, email: string, name = 'Test Gardener'): Promise<void> {
    await startSignUpThroughUi(p, email, name);
    await p.getByTestId('sign-up-code').fill(await signUpCode(email));
    await p.getByTestId('finish-sign-up').click();
    await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });
  }

  async function signInThroughUi(p: Page, email: string, password = PASSWORD): Promise<void> {
    await p.getByTestId('auth-screen').waitFor();
    await p.getByTestId('email').fill(email);
    await p.getByTestId('password').fill(password);
    await p.getByTestId('submit-auth').click();
  }

  /** A customer with an ACTIVE rental (months ahead, so no other test's dates overlap) on a plot of its own. */
  async function customerWithRental(
    email: string,
  ): Promise<{ token: string; rentalId: string; plotId: string; startsOn: number }> {
    const token = await signIn(stack.gatewayUrl, email, PASSWORD);
    const { availablePlots } = await gql<{ availablePlots: { edges: { node: { id: string } }[] } }>(
      stack.gatewayUrl,
      '{ availablePlots(first: 20) { edges { node { id } } } }',
      {},
      token,
    );
    const taken = new Set<string>();
    const startsOn = (n: number) => 200 + n * 40;
    for (const edge of [...availablePlots.edges].reverse()) {
      const plotId = edge.node.id;
      if (taken.has(plotId)) continue;
      taken.add(plotId);
      const res = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query:
            'mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }',
          variables: { p: plotId, s: day(startsOn(taken.size)), e: day(startsOn(taken.size) + 30) },
        }),
      });
      const body = (await res.json()) as { data?: { requestRental: { id: string } } };
      const rentalId = body.data?.requestRental.id;
      if (!rentalId) continue;
      await gql(
        stack.gatewayUrl,
        'mutation($id: ID!) { activateRental(id: $id) { id } }',
        { id: rentalId },
        adminToken,
      );
      return { token, rentalId, plotId, startsOn: startsOn(taken.size) };
    }
    throw new Error('no plot could be rented');
  }

  it('signs up, rents a plot and sees a task completion and a live stream arrive without reload', async (ctx) => {
    ctx.onTestFailed(onFailure(() => page, 'journey'));
    const snap = shotOf(page);
    // ── Sign up ── (a production build ignores `?api=`: were it honoured, the password would go to that URL)
    await page.goto(`${web.url}/?api=${encodeURIComponent('http://127.0.0.1:9/graphql')}`);
    await page.getByTestId('auth-screen').waitFor();
    await page.getByTestId('mode-signUp').click();
    await page.getByTestId('display-name').fill('Test Gardener');
    const email = `gardener-${randomUUID().slice(0, 8)}@example.test`;
    await page.getByTestId('email').fill(email);
    await page.getByTestId('password').fill(PASSWORD);
    await snap('01-sign-up');
    await page.getByTestId('submit-auth').click();
    // The same answer whether or not the email has an account: a code is on its way.
    await page.getByTestId('sign-up-code-sent').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('sign-up-code-sent').innerText()).toContain(email);
    await page.getByTestId('sign-up-code').fill(await signUpCode(email));
    await page.getByTestId('finish-sign-up').click();

    // ── Explore: list and map ──
    await page.getByTestId('plot-list').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/explore');
    await snap('02-explore-list');
    await page.getByTestId('view-map').click();
    await page.getByTestId('farm-map').waitFor();
    await snap('03-explore-map');
    await page.getByTestId('view-list').click();

    // ── Plot detail and rental ──
    const firstPlot = page.getByTestId('plot-list').locator('[data-testid^="plot-"]').first();
    const plotTestId = (await firstPlot.getAttribute('data-testid'))!;
    const plotId = plotTestId.replace('plot-', '');
    await firstPlot.click();
    await page.getByTestId('plot-screen').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/plots/${plotId}`);
    await snap('04-plot-detail');
    await page.getByTestId('rent').click();
    await page.getByTestId('rental-screen').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('rental-status').innerText()).toBe('Requested');

    // ── The farm side: a camera on the plot, a task, then the rental confirmed ──
    const { plot } = await gql<{
      plot: { farm: { id: string }; rentals: { edges: { node: { id: string; status: string } }[] } };
    }>(
      stack.gatewayUrl,
      'query($id: ID!) { plot(id: $id) { farm { id } rentals(first: 5) { edges { node { id status } } } } }',
      { id: plotId },
      adminToken,
    );
    const rental = plot.rentals.edges.map((e) => e.node).find((r) => r.status === 'REQUESTED')!;
    const { registerCamera: camera } = await gql<{ registerCamera: { id: string; stream: { id: string } } }>(
      stack.gatewayUrl,
      'mutation($input: RegisterCameraInput!) { registerCamera(input: $input) { id stream { id } } }',
      { input: { farmId: plot.farm.id, plotId, name: 'Bed camera', sourceUrl: `${rtmp.url}/farm/bed` } },
      adminToken,
    );
    await gql(
      stack.gatewayUrl,
      'mutation($id: ID!) { activateRental(id: $id) { id status } }',
      { id: rental.id },
      adminToken,
    );

    // The app notices the confirmation by itself (it polls while REQUESTED) and opens the live sections.
    await expect.poll(() => page.getByTestId('rental-status').innerText(), { timeout: 20_000 }).toBe('Active');
    await page.getByTestId('activity-feed').waitFor();

    // ── Plan crops: the plan generates the farm's tasks ──
    await page.getByTestId('plan-crops').click();
    await page.getByTestId('plan-screen').waitFor();
    const firstCrop = page.locator('[data-testid^="share-"]').first();
    await firstCrop.waitFor();
    await firstCrop.fill('60');
    await snap('05-plan-crops');
    await page.getByTestId('save-plan').click();
    await page.getByTestId('rental-screen').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid^="task-status-"]').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('activity-live').innerText()).toBe('Live');
    await page.waitForTimeout(1500); // let the graphql-ws subscription reach the farm subgraph
    await snap('06-my-plot');

    // ── A task completed by the farmer: the timeline and the feed update live ──
    const { rental: withTasks } = await gql<{
      rental: { tasks: { edges: { node: { id: string; status: string } }[] } };
    }>(
      stack.gatewayUrl,
      'query($id: ID!) { rental(id: $id) { tasks(first: 50) { edges { node { id status } } } } }',
      { id: rental.id },
      adminToken,
    );
    const task = withTasks.tasks.edges.map((e) => e.node).find((t) => t.status === 'OPEN')!;
    await gql(
      stack.gatewayUrl,
      'mutation($id: ID!) { completeTask(id: $id, notes: "Done this morning") { id status } }',
      { id: task.id },
      adminToken,
    );
    await page.getByTestId('activity-TASK_COMPLETED').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId(`task-status-${task.id}`).innerText(), { timeout: 20_000 }).toBe('✓ Done');
    await page.getByTestId('activity-TASK_COMPLETED').first().scrollIntoViewIfNeeded();
    await snap('07-task-completed-live');

    // ── Live camera: the playback request starts the stream; the transcoder pulls the camera and reports LIVE ──
    await page.getByTestId(`watch-${camera.id}`).click();
    await page.getByTestId('camera-screen').waitFor();
    await expect
      .poll(() => page.getByTestId('stream-status').innerText(), { timeout: 20_000 })
      .not.toBe('Not streaming');
    await snap('08-camera-starting');
    await expect.poll(() => page.getByTestId('stream-status').innerText(), { timeout: 60_000 }).toBe('● LIVE');
    await page.getByTestId('video').waitFor();
    // The picture really plays: the video element's playhead moves on.
    const playhead = () => page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    await expect.poll(playhead, { timeout: 30_000 }).toBeGreaterThan(1);
    const before = await playhead();
    await page.waitForTimeout(2_000);
    expect(await playhead()).toBeGreaterThan(before + 1);
    // The player's heartbeat counts this viewer; the count arrives by subscription.
    await expect
      .poll(() => page.getByTestId('viewer-count').innerText(), { timeout: 20_000 })
      .toMatch(/^[1-9]\d* watching$/);
    await snap('09-camera-live');

    // ── The farm stops the stream: the session is a recording the renter plays from the camera's archive ──
    await gql(
      stack.gatewayUrl,
      'mutation($id: ID!) { stopStream(cameraId: $id) { status } }',
      { id: camera.id },
      adminToken,
    );
    await expect.poll(() => page.getByTestId('stream-status').innerText(), { timeout: 20_000 }).not.toBe('● LIVE');
    let recordingId = '';
    await expect
      .poll(
        async () => {
          const { recordings } = await gql<{ recordings: { id: string }[] }>(
            stack.gatewayUrl,
            'query($id: ID!) { recordings(cameraId: $id) { id } }',
            { id: camera.id },
            adminToken,
          );
          recordingId = recordings[0]?.id ?? '';
          return recordingId;
        },
        { timeout: 20_000 },
      )
      .not.toBe('');
    await page.goBack();
    await page.getByTestId(`watch-${camera.id}`).click();
    await page.getByTestId(`play-recording-${recordingId}`).click({ timeout: 20_000 });
    await page.getByTestId('archive-video').waitFor();
    const archivePlayhead = () =>
      page.evaluate(() => Math.max(0, ...[...document.querySelectorAll('video')].map((v) => v.currentTime)));
    await expect.poll(archivePlayhead, { timeout: 30_000 }).toBeGreaterThan(1);

    // ── Notifications (delivered to the open app by the notificationAdded subscription) and profile ──
    const { rental: owned } = await gql<{ rental: { customer: { id: string } } }>(
      stack.gatewayUrl,
      'query($id: ID!) { rental(id: $id) { customer { id } } }',
      { id: rental.id },
      adminToken,
    );
    const note: NotificationRequested = {
      eventId: `e2e:${randomUUID()}`,
      userId: owned.customer.id,
      kind: 'harvest',
      title: 'Your first harvest is near',
      body: 'The beans on your plot will be ready soon.',
      link: `/rentals/${rental.id}`,
    };
    await stack.events.publish(topics.notificationRequested, note);
    await page.getByTestId('unread-badge').waitFor({ timeout: 20_000 });
    await page.getByTestId('tab-notifications').click();
    await page.getByTestId('notifications-screen').waitFor();
    await page.locator('[data-testid^="notification-"]').first().waitFor({ timeout: 20_000 });
    await snap('10-notifications');
    await page.getByTestId('tab-profile').click();
    await page.getByTestId('profile-screen').waitFor();
    await page.getByTestId('profile-name').waitFor({ timeout: 20_000 });
    await snap('11-profile');
    // The browser's Back walks the app's history.
    await page.goBack();
    await page.getByTestId('notifications-screen').waitFor();
    // Nothing about the session is written to the page's storage.
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    ).not.toMatch(/ey[A-Za-z0-9_-]{20,}|refresh/i);
  });

  it('shows a task completed while the connection was down, once it is back', async (ctx) => {
    const email = `reconnect-${randomUUID().slice(0, 8)}@example.test`;
    const { context, page: p } = await visitor();
    ctx.onTestFailed(onFailure(() => p, 'reconnect'));
    try {
      await p.goto(web.url);
      await signUpThroughUi(p, email);
      const { rentalId, plotId, startsOn } = await customerWithRental(email);
      const { createTask } = await gql<{ createTask: { id: string } }>(
        stack.gatewayUrl,
        'mutation($input: TaskInput!) { createTask(input: $input) { id } }',
        { input: { plotId, kind: 'WATER', title: 'Water the beans', dueOn: day(startsOn + 5) } },
        adminToken,
      );
      // A deep link into the signed-in app.
      await p.goto(`${web.url}/rentals/${rentalId}`);
      await signInThroughUi(p, email);
      await p.getByTestId('rental-screen').waitFor({ timeout: 30_000 });
      expect(new URL(p.url()).pathname).toBe(`/rentals/${rentalId}`);
      await expect
        .poll(() => p.getByTestId(`task-status-${createTask.id}`).innerText(), { timeout: 20_000 })
        .toBe('To do');
      await expect.poll(() => p.getByTestId('activity-live').innerText(), { timeout: 20_000 }).toBe('Live');

      // The network drops for a few seconds; the farm completes the task meanwhile (its live event is lost to us).
      web.interrupt(4_000);
      await p.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
      await expect.poll(() => p.getByTestId('activity-live').innerText()).not.toBe('Live');
      await shotOf(p)('12-offline-banner');
      await gql(
        stack.gatewayUrl,
        'mutation($id: ID!) { completeTask(id: $id) { id } }',
        { id: createTask.id },
        adminToken,
      );

      // Back online: reconnect, refetch, and the task is done without any action by the user.
      await expect
        .poll(() => p.getByTestId(`task-status-${createTask.id}`).innerText(), { timeout: 30_000 })
        .toBe('✓ Done');
      await p.getByTestId('activity-TASK_COMPLETED').first().waitFor({ timeout: 20_000 });
      await expect.poll(() => p.getByTestId('activity-live').innerText(), { timeout: 20_000 }).toBe('Live');
      expect(await p.getByTestId('connection-banner').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('speaks Russian: browser language first, then the profile’s, with Russian dates, money and labels', async (ctx) => {
    const email = `ru-${randomUUID().slice(0, 8)}@example.test`;
    const { context, page: p } = await visitor('ru-RU');
    ctx.onTestFailed(onFailure(() => p, 'russian'));
    const snap = shotOf(p);
    try {
      await p.goto(web.url);
      await p.getByTestId('auth-screen').waitFor();
      expect(await p.getByTestId('submit-auth').innerText()).toBe('Войти');
      expect(await p.getByTestId('social-google').innerText()).toBe('Войти через Google');
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('ru');
      // Server errors are shown in the UI's language (by their stable code).
      await signInThroughUi(p, email, 'not-the-password');
      await expect
        .poll(() => p.getByTestId('error').innerText(), { timeout: 20_000 })
        .toMatch(/Проверьте эл\. почту и пароль/);
      await p.getByTestId('email').fill('');
      await p.getByTestId('password').fill('');
      await snap('ru-01-sign-in');
      await signUpThroughUi(p, email, 'Анна Иванова');
      await p.getByTestId('plot-list').waitFor({ timeout: 30_000 });
      expect(await p.getByTestId('tab-explore').innerText()).toBe('Поиск');
      expect(await p.getByTestId('plot-list').innerText()).toMatch(/за сезон/);
      await snap('ru-02-explore-list');

      // The account created in Russian keeps Russian in its profile, whatever the next browser says.
      const { rentalId } = await customerWithRental(email);
      const token = await signIn(stack.gatewayUrl, email, PASSWORD);
      await expect
        .poll(
          async () =>
            (await gql<{ me: { locale: string } }>(stack.gatewayUrl, '{ me { locale } }', {}, token)).me.locale,
        )
        .toBe('ru-RU');
      const english = await visitor('en-GB');
      try {
        await english.page.goto(`${web.url}/rentals/${rentalId}`);
        await signInThroughUi(english.page, email);
        await english.page.getByTestId('rental-screen').waitFor({ timeout: 30_000 });
        await expect
          .poll(() => english.page.getByTestId('rental-status').innerText(), { timeout: 20_000 })
          .toBe('Активна');
        const rentalText = await english.page.getByTestId('rental-screen').innerText();
        expect(rentalText).toMatch(/План посадок/);
        expect(rentalText).toMatch(/\d{1,2} (янв|февр|мар|апр|мая|июн|июл|авг|сент|окт|нояб|дек)[а-я]*\.? \d{4}/);
        expect(rentalText).toMatch(/\d+,\d{2}\s€ за аренду/);
        expect(await english.page.evaluate(() => document.documentElement.lang)).toBe('ru');
        await shotOf(english.page)('ru-03-rental');
      } finally {
        await english.context.close();
      }

      // Switching language in the profile changes the app at once and is saved.
      await p.getByTestId('tab-profile').click();
      await p.getByTestId('profile-screen').waitFor();
      await p.getByTestId('language-section').waitFor({ timeout: 20_000 });
      await snap('ru-04-profile');
      await p.getByTestId('language-section').getByTestId('language-en').click();
      await expect.poll(() => p.getByTestId('tab-explore').innerText()).toBe('Explore');
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('en');
      await expect
        .poll(
          async () =>
            (await gql<{ me: { locale: string } }>(stack.gatewayUrl, '{ me { locale } }', {}, token)).me.locale,
        )
        .toBe('en-GB');
    } finally {
      await context.close();
    }
  });

  it('resets a forgotten password through the emailed link', async (ctx) => {
    const email = `forgot-${randomUUID().slice(0, 8)}@example.test`;
    const { context, page: p } = await visitor();
    // An account signed up earlier (the app's two steps, through the API).
    await gql(stack.gatewayUrl, 'mutation($i: RegisterInput!) { signUp(input: $i) { accepted } }', {
      i: { email, password: PASSWORD, displayName: 'Forgetful' },
    });
    await gql(stack.gatewayUrl, 'mutation($i: CompleteSignUpInput!) { completeSignUp(input: $i) { accessToken } }', {
      i: { token: await signUpCode(email), password: PASSWORD },
    });
    ctx.onTestFailed(onFailure(() => p, 'forgot'));
    try {
      await p.goto(web.url);
      await p.getByTestId('forgot-password').click();
      await p.getByTestId('forgot-screen').waitFor();
      expect(new URL(p.url()).pathname).toBe('/forgot-password');
      await p.getByTestId('reset-email').fill(email);
      await p.getByTestId('send-reset').click();
      await p.getByTestId('reset-sent').waitFor();
      let body = '';
      await expect
        .poll(async () => (body = (await mailTo(email)).find((m) => m.kind === 'PASSWORD_RESET')?.body ?? ''), {
          timeout: 20_000,
        })
        .not.toBe('');
      const link = /https?:\/\/\S+\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(body)!;
      // The emailed link opens the app's reset screen (same path on the web as the universal link on phones).
      await p.goto(`${web.url}/reset-password?token=${link[1]}`);
      await p.getByTestId('reset-screen').waitFor();
      await p.getByTestId('new-password').fill('a-brand-new-password-77');
      await p.getByTestId('submit-reset').click();
      await p.getByTestId('reset-done').waitFor();
      await p.getByTestId('back-to-sign-in').click();
      await signInThroughUi(p, email, 'a-brand-new-password-77');
      await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });

  it('completes a sign-up through the emailed link, then deletes the account: signed out, unable to sign in again, confirmation mailed', async (ctx) => {
    const email = `delete-${randomUUID().slice(0, 8)}@example.test`;
    const { context, page: p } = await visitor();
    ctx.onTestFailed(onFailure(() => p, 'delete'));
    try {
      await p.goto(web.url);
      await startSignUpThroughUi(p, email, 'Leaving Soon');
      // The email's link (APP_URL/verify-email?token=…) opens the screen that completes the account.
      const link = /https?:\/\/\S+\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(
        (await mailTo(email)).find((m) => m.kind === 'EMAIL_VERIFICATION')?.body ?? '',
      )!;
      await p.goto(`${web.url}/verify-email?token=${link[1]}`);
      await p.getByTestId('complete-sign-up-screen').waitFor();
      await p.getByTestId('sign-up-password').fill(PASSWORD);
      await p.getByTestId('finish-sign-up').click();
      await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });
      await p.getByTestId('tab-profile').click();
      await p.getByTestId('delete-account').click();
      await p.getByTestId('delete-account-screen').waitFor();
      expect(new URL(p.url()).pathname).toBe('/profile/delete');
      await p.getByTestId('delete-password').fill('wrong password');
      await p.getByTestId('confirm-delete').click();
      await p.getByTestId('error').waitFor();
      await shotOf(p)('13-delete-account');
      await p.getByTestId('delete-password').fill(PASSWORD);
      await p.getByTestId('confirm-delete').click();
      await p.getByTestId('auth-screen').waitFor({ timeout: 20_000 });
      await signInThroughUi(p, email);
      await p.getByTestId('error').waitFor({ timeout: 20_000 });
      expect((await mailTo(email)).map((m) => m.kind)).toEqual(['ACCOUNT_DELETED']);
    } finally {
      await context.close();
    }
  });
  it('signs in with Google: the page goes to the provider and comes back to /auth/callback, signed in to a new account', async (ctx) => {
    const email = `google-${randomUUID().slice(0, 8)}@example.test`;
    const sub = `g-${randomUUID()}`;
    google.addAccount({ sub, email, emailVerified: true, givenName: 'Galina', familyName: 'Gryadkina' });
    google.signInAs(sub);
    const { context, page: p } = await visitor();
    ctx.onTestFailed(onFailure(() => p, 'social-google'));
    // Every document the tab loads, redirects included: the provider's pages and the way back.
    const visited: string[] = [];
    p.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === p.mainFrame()) visited.push(request.url());
    });
    try {
      await p.goto(web.url);
      await p.getByTestId('auth-screen').waitFor();
      // Only the providers auth has configured are offered.
      await p.getByTestId('social-google').waitFor({ timeout: 20_000 });
      expect(await p.getByTestId('social-sign-in').locator('[data-testid^="social-"]').count()).toBe(1);
      expect(await p.getByTestId('social-google').innerText()).toBe('Continue with Google');
      await shotOf(p)('14-social-sign-in');
      await p.getByTestId('social-google').click();
      // The whole page went to the provider (no popup, no frame) and came back to the app's redirect URI.
      await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });
      expect(visited.some((url) => url.startsWith(`${google.url}/`))).toBe(true);
      expect(visited.some((url) => url.startsWith(`${web.url}/auth/callback?`))).toBe(true);
      expect(p.frames()).toHaveLength(1);
      expect(new URL(p.url()).pathname).toBe('/explore');
      // The account is Google's: named as Google says, signed in with our own tokens.
      await p.getByTestId('tab-profile').click();
      await expect.poll(() => p.getByTestId('profile-name').inputValue(), { timeout: 20_000 }).toBe('Galina Gryadkina');
      // The started sign-in's state is gone from the tab's storage, and no token was ever put there.
      expect(await p.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).toBe(
        '{}{}',
      );
      // The same redirect opened in another browser signs nobody in there: that browser started no sign-in (and the
      // state is spent anyway), so a link crafted from someone's callback cannot sign a victim into their account.
      const callback = visited.find((url) => url.startsWith(`${web.url}/auth/callback?`))!;
      const replay = await visitor();
      try {
        await replay.page.goto(callback);
        await replay.page.getByTestId('social-failed').waitFor({ timeout: 20_000 });
        expect(await replay.page.getByTestId('tab-profile').count()).toBe(0);
      } finally {
        await replay.context.close();
      }
    } finally {
      await context.close();
    }
  });

  it('signs in with Google to an existing account only after its password proves it, then directly', async (ctx) => {
    const email = `google-owner-${randomUUID().slice(0, 8)}@example.test`;
    await gql(stack.gatewayUrl, 'mutation($i: RegisterInput!) { signUp(input: $i) { accepted } }', {
      i: { email, password: PASSWORD, displayName: 'Owner' },
    });
    await gql(stack.gatewayUrl, 'mutation($i: CompleteSignUpInput!) { completeSignUp(input: $i) { accessToken } }', {
      i: { token: await signUpCode(email), password: PASSWORD },
    });
    const sub = `g-${randomUUID()}`;
    google.addAccount({ sub, email, emailVerified: true, givenName: 'Olga' });
    google.signInAs(sub);
    const { context, page: p } = await visitor();
    ctx.onTestFailed(onFailure(() => p, 'social-proof'));
    try {
      await p.goto(web.url);
      await p.getByTestId('social-google').click();
      // Google vouches for the address, but nothing is linked until the account is proven.
      await p.getByTestId('social-proof').waitFor({ timeout: 30_000 });
      expect(await p.getByTestId('social-proof').innerText()).toContain(email);
      await shotOf(p)('15-social-proof');
      await p.getByTestId('social-password').fill('not the password');
      await p.getByTestId('social-prove').click();
      await p.getByTestId('error').waitFor({ timeout: 20_000 });
      await p.getByTestId('social-password').fill(PASSWORD);
      await p.getByTestId('social-prove').click();
      await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });

      // Signed out, Google signs the owner in directly from now on.
      await p.getByTestId('tab-profile').click();
      await p.getByTestId('sign-out').click();
      await p.getByTestId('auth-screen').waitFor({ timeout: 20_000 });
      await p.getByTestId('social-google').click();
      await p.getByTestId('tab-profile').waitFor({ timeout: 30_000 });
      await p.getByTestId('tab-profile').click();
      await expect.poll(() => p.getByTestId('profile-name').inputValue(), { timeout: 20_000 }).toBe('Owner');
    } finally {
      await context.close();
    }
  });
});
