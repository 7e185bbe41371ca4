// The console in a real browser (Debian's chromium, driven by playwright-core) against the whole
// local stack (`wrangler dev`, Postgres, the stand-ins, as `npm run dev` runs them): pick a dev
// token, send a message, watch its events to `done`, open the version's files, make a second
// version, compare the two, restore the first. A screenshot of the finished run is written to
// test-results/console.png.
//
// The browser is CHROMIUM_PATH, else the first of the usual paths. Without one the test says so
// and is skipped, unless REQUIRE_BROWSER=1 (as .ci/run sets, after installing Debian's chromium).
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root, startBenchStack } from "../bench/harness.mjs";

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];
const executablePath = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
if (!executablePath) {
  const msg = "No Chromium found (CHROMIUM_PATH, /usr/bin/chromium): the console's browser test is skipped";
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`${msg.split(":")[0]}, and REQUIRE_BROWSER=1`);
  console.warn(msg);
}

const shots = path.join(root, "test-results");

describe.skipIf(!executablePath)("the console in Chromium", () => {
  let stack: Awaited<ReturnType<typeof startBenchStack>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startBenchStack();
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  const events = () =>
    page
      .locator("[data-testid=events] li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-event")));

  it("sends a message and shows its events to done, then the version's files, a comparison and a restore", async () => {
    await page.goto(`${stack.base}/console/`);
    await page.locator("[data-testid=token-picker] option").nth(1).waitFor({ state: "attached" });
    await page.selectOption("[data-testid=token-picker]", { index: 1 });
    await expect
      .poll(() => page.textContent("[data-testid=whoami]"), { timeout: 15_000 })
      .toContain("user@example.com");

    await page.fill("[data-testid=message]", "Build a todo app");
    await page.click("[data-testid=send]");
    await page.locator("[data-testid=done]").waitFor({ timeout: 60_000 });
    const shown = await events();
    expect(shown.at(-1)).toBe("done");
    expect(shown).toContain("repo_created");
    expect(shown).toContain("deployment_in_progress");
    expect(shown).not.toContain("error");
    // The new app is listed and its first version shown; its files open.
    await expect.poll(() => page.locator("[data-testid=app-list] li").count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => page.textContent("[data-testid=title]"), { timeout: 15_000 })
      .toMatch(/^App [0-9a-f-]{36}$/);
    await page.locator("[data-testid=files-1]").waitFor();
    await page.locator("[data-testid=deployments] li").first().waitFor();
    await page.locator("[data-testid=files-1]").click();
    await page.locator("[data-testid=files] li a", { hasText: "README.md" }).click();
    await expect
      .poll(() => page.textContent("[data-testid=file-text]"), { timeout: 15_000 })
      .toContain("Build a todo app");

    // Once the deployment is healthy, its build logs show in the page (the screenshot of the finished run).
    const appId = (await page.textContent("[data-testid=title]"))!.replace("App ", "");
    const token = await stack.token("dev-user");
    await expect
      .poll(
        async () => {
          const res = await fetch(`${stack.base}/apps/${appId}/deployments`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as { status: string }[])[0]?.status;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe("healthy");
    await page.locator(`[data-app-id="${appId}"]`).click();
    await page.locator("[data-testid=deployments] li button", { hasText: "Build logs" }).first().click();
    await expect
      .poll(() => page.locator("[data-testid=deployments] pre").first().textContent(), { timeout: 15_000 })
      .toContain("[Container]");
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, "console.png"), fullPage: true });

    // A second version, then the comparison of the two.
    await page.fill("[data-testid=message]", "add a due date");
    await page.click("[data-testid=send]");
    await page.locator("[data-testid=done]").waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=files-2]").waitFor();
    await page.click("[data-testid=compare]");
    const comparison = page.locator("[data-testid=comparison]");
    await comparison.waitFor();
    expect(await comparison.textContent()).toMatch(/v1 → v2: [1-9]\d* files changed/);
    expect(await comparison.textContent()).toContain("add a due date");

    // Restore version 1: version 3, and the restore's events in the log.
    await page.locator("[data-testid=restore-1]").click();
    await page
      .locator("[data-testid=restored]")
      .waitFor({ timeout: 60_000 })
      .catch(async (err) => {
        throw new Error(
          `${err.message}\nthe page shows: ${await page.textContent("main")}\n${errors.join("\n")}`,
        );
      });
    await expect.poll(events, { timeout: 30_000 }).toContain("version_restored");
    await page.locator("[data-testid=files-3]").waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, "console-restored.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 240_000);
});
