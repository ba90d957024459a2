// ./build.sh demo — the extension on a Commusoft replica against the embedded GHL sandbox; no GHL account.
// Headed when a display exists (close the browser to stop); otherwise headless, saving a screenshot.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, panel, recordUrl, ROOT, DEMO } from './lib/harness.mjs';

const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && process.env.DEMO_HEADLESS !== '1';
const sandbox = await startSandbox();
const browser = await launchBrowser(sandbox, { headless: !headed });
try {
  await saveSettings(browser, { token: DEMO.token, locationId: DEMO.locationId });
  const page = await browser.context.newPage();
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor({ timeout: 15_000 });
  const out = join(ROOT, 'target/demo');
  mkdirSync(out, { recursive: true });
  const shot = join(out, 'panel.png');
  await page.screenshot({ path: shot });
  console.log(`GHL sandbox: ${sandbox.https} (demo token ${DEMO.token}, location ${DEMO.locationId})`);
  console.log(`Commusoft replica: ${recordUrl(42)} → ${sandbox.site}`);
  console.log(`Screenshot of the panel: ${shot}`);
  if (headed) {
    console.log('Browse the replica (try the "Recently viewed" links); close the browser window to stop.');
    await new Promise((resolve) => browser.context.once('close', resolve));
  }
} finally {
  await browser.close().catch(() => {});
  await sandbox.stop();
}
