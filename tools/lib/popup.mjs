// The toolbar popup as the agent opens it: the worker calls `chrome.action.openPopup()` over the active tab, and
// the test reaches the popup's page through the DevTools protocol (Playwright does not adopt extension popups).
// The popup is a real one — it asks the tab's content script which record it shows, as it does for the agent.

/**
 * Opens the popup over `page` (brought to the front first). Resolves to `{evaluate(fn, arg), press(key), close()}`
 * where `evaluate` runs `fn(arg)` in the popup and answers its JSON-able result.
 */
export async function openPopup(browser, page) {
  await page.bringToFront();
  const cdp = await browser.context.newCDPSession(page);
  const sw = await browser.worker();
  const opened = await sw.evaluate(() => chrome.action.openPopup().then(() => null, (error) => String(error?.message ?? error)));
  if (opened) throw new Error(`chrome.action.openPopup failed: ${opened}`);
  let targetId = null;
  for (let tries = 0; tries < 50 && !targetId; tries += 1) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    targetId = targetInfos.find((target) => target.type === 'page' && target.url.endsWith('/popup/popup.html'))?.targetId ?? null;
    if (!targetId) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!targetId) throw new Error('the popup did not open within 5 s');
  // Not flattened: commands go to the popup through the page's session as text.
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
  let nextId = 0;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const reply = JSON.parse(event.message);
    const settle = waiting.get(reply.id);
    if (!settle) return;
    waiting.delete(reply.id);
    settle(reply);
  });
  async function command(method, params = {}) {
    const id = ++nextId;
    const reply = new Promise((resolve) => waiting.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    const answer = await Promise.race([reply, new Promise((_, reject) => setTimeout(() => reject(new Error(`${method}: no answer in 10 s`)), 10_000))]);
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  }
  return {
    async evaluate(fn, arg) {
      const expression = `(${fn})(${JSON.stringify(arg ?? null)})`;
      const { result, exceptionDetails } = await command('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(`in the popup: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
      return result.value;
    },
    /** A real key press in the popup (trusted, as the agent's). */
    async press(key, code = key, keyCode = 0) {
      for (const type of ['keyDown', 'keyUp']) await command('Input.dispatchKeyEvent', { type, key, code, windowsVirtualKeyCode: keyCode });
    },
    /** Emulates the system's light or dark scheme in the popup (`prefers-color-scheme`). */
    async colorScheme(scheme) {
      await command('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
    },
    async close() {
      await command('Runtime.evaluate', { expression: 'window.close()' }).catch(() => {});
      await cdp.detach().catch(() => {});
    },
  };
}
