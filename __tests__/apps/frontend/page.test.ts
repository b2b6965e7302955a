/**
 * The cart page in a real browser: headless Chromium (Debian's package) driven by
 * playwright-core, against the frontend and the backend on loopback and a real PostgreSQL.
 * The screenshot is kept in test-results/ (CI uploads it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { createBackend } from '../../../apps/backend/src/app';
import { migrate } from '../../../apps/backend/src/migrate';
import { createFrontend } from '../../../apps/frontend/src/app';
import type { Service } from '../../../apps/shared/http-service';
import { createAppDatabase } from '../../support/postgres';
import { findChromium } from '../../../scripts/dev/test-tools';
import { ROOT } from '../../helpers/paths';
import { appPool, listen, quietLogger } from '../../helpers/services';

/** Debian's Chromium, or CHROMIUM_PATH (npm test installs it); a missing browser fails the test, loudly. */
function chromiumPath(): string {
  const found = findChromium();
  if (!found) {
    throw new Error(
      "Chromium not found: install Debian's chromium package (apt-get install chromium; npm test does when it may) or set CHROMIUM_PATH",
    );
  }
  return found;
}

const pg = inject('postgres');
let pool: Pool;
let backend: Service;
let frontend: Service;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const executablePath = chromiumPath();
  pool = appPool(pg, await createAppDatabase(pg, 'cart_page'));
  await migrate(pool);
  backend = createBackend({ pool, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });
  const apiUrl = await listen(backend);
  frontend = createFrontend({ apiUrl, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });
  url = await listen(frontend);
  browser = await chromium.launch({ executablePath, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await frontend?.shutdown('test');
  await backend?.shutdown('test');
});

/** The page as it is now, into test-results/ (CI keeps it): after the items are in, or at a failure. */
async function screenshot(page: Page): Promise<void> {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'test-results', 'cart-page.png'), fullPage: true });
}

let page: Page;
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(page).catch(() => undefined);
  await page?.close();
});

/**
 * expect.poll with room for a busy machine: the suite runs Terraform beside this file on two
 * cores, and a click's round trip (page, frontend, backend, PostgreSQL) passed vitest's default
 * second there.
 */
const poll = <T>(read: () => Promise<T> | T) =>
  expect.poll(read, { timeout: 15_000, interval: 100 });

describe('the cart page', () => {
  it('adds an item, shows the total, removes it, and keeps the cart across reloads', async () => {
    page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    await page.goto(url);
    await poll(() => page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#total').textContent()).toBe('0.00');

    await page.getByLabel('Item').fill('Coffee beans');
    await page.getByLabel('Price').fill('12.50');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await poll(() => page.locator('#total').textContent()).toBe('25.00');
    expect(await page.locator('#items tr').allTextContents()).toEqual(['Coffee beans225.00Remove']);

    await page.getByLabel('Item').fill('Green tea');
    await page.getByLabel('Price').fill('4.50');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await poll(() => page.locator('#total').textContent()).toBe('29.50');

    await screenshot(page);

    // The cart is the server's: a reload shows the same items.
    await page.reload();
    await poll(() => page.locator('#total').textContent()).toBe('29.50');

    await page.getByRole('button', { name: 'Remove Coffee beans' }).click();
    await poll(() => page.locator('#total').textContent()).toBe('4.50');
    expect(await page.locator('#items tr').allTextContents()).toEqual(['Green tea14.50Remove']);
    await page.getByRole('button', { name: 'Remove Green tea' }).click();
    await poll(() => page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#total').textContent()).toBe('0.00');

    expect(problems).toEqual([]);
  });
});
