// The partner explorer in headless Chromium against the whole supergraph: it loads offline, runs a query with an API
// key typed into its API-key field, and shows a subscription event arriving over graphql-ws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { startStack, type RunningStack } from '@vegshare/tools/stack';
import { chromiumArgs, chromiumPath, hasChromium } from '@vegshare/tools/testing/chromium';

if (!hasChromium)
  console.warn(`[explorer browser test] SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);

let database: TestDatabase;
let s3: LocalS3;
let stack: RunningStack;
let browser: Browser;

async function gql(query: string, token: string): Promise<Record<string, any>> {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data ?? {};
}

const login = async (email: string): Promise<string> => {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
      variables: { i: { email, password: demo.password } },
    }),
  });
  return ((await res.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;
};

/** Replaces the text of GraphiQL's operation editor (CodeMirror 5) and runs it. */
async function run(page: Page, query: string): Promise<void> {
  await page.evaluate((text) => {
    // Runs in the page; this project's type library has no DOM, so the document is typed by what is used.
    const doc = (globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document;
    const editor = doc.querySelector('.graphiql-query-editor .CodeMirror') as {
      CodeMirror: { setValue(v: string): void };
    } | null;
    editor?.CodeMirror.setValue(text);
  }, query);
  await page.click('.graphiql-execute-button');
}

const resultText = (page: Page): Promise<string> => page.locator('.result-window').innerText();

describe.skipIf(!hasChromium)('partner explorer in Chromium', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    s3 = await startLocalS3();
    stack = await startStack({
      databaseUrl: database.url,
      seed: true,
      logLevel: 'error',
      env: { ...s3.env, GATEWAY_SECRET: 'explorer-gateway-secret-0123' },
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await s3?.stop();
    await database?.drop();
  });

  it('loads without external requests, runs a query with an API key and shows a subscription event', async () => {
    const partner = await login(demo.users.partner.email);
    const { createApiKey } = await gql(
      'mutation { createApiKey(input: { name: "explorer", scopes: ["farms:read", "streams:read"] }) { secret } }',
      partner,
    );
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(stack.gatewayUrl) && !r.url().startsWith('ws://') && !r.url().startsWith('data:'))
        external.push(r.url());
    });
    await page.goto(`${stack.gatewayUrl}/explorer`);
    await page.waitForSelector('.graphiql-execute-button');
    await page.fill('#api-key', createApiKey.secret as string);

    await run(page, '{ me { id roles } farms(first: 3) { edges { node { name } } } }');
    await expect.poll(() => resultText(page), { timeout: 15_000 }).toContain('Green Acres');
    expect(await resultText(page)).toContain(demo.users.partner.id);

    const farmer = await login(demo.users.farmer.email);
    const { camera } = await gql(`{ camera(id: "${demo.cameras.greenOverview}") { stream { id } } }`, farmer);
    await run(
      page,
      `subscription StreamStatus { streamStatusChanged(streamId: "${camera.stream.id as string}") { status camera { name } } }`,
    );
    // The upstream subscription is set up asynchronously: toggle the stream until an event shows.
    await expect
      .poll(
        async () => {
          await gql(`mutation { startStream(cameraId: "${demo.cameras.greenOverview}") { status } }`, farmer).catch(
            () => undefined,
          );
          await gql(`mutation { stopStream(cameraId: "${demo.cameras.greenOverview}") { status } }`, farmer).catch(
            () => undefined,
          );
          return resultText(page);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toMatch(/STARTING|ENDED/);
    expect(external).toEqual([]);
    await page.screenshot({ path: 'gateway/explorer/screenshot.png' });
  });
});
