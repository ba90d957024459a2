// The extension draws into closed shadow roots, which neither a page script nor Playwright's selectors can enter.
// Tests get in the way DevTools does: when one of our hosts (`data-ghl-bridge*`) appears, the harness finds its
// closed root through the DevTools protocol (`DOM.getDocument` with `pierce`) and hands it to the `ghl=` selector
// engine in the test's page. Only pages of a test browser launched with `seeClosedRoots` have this; the page-attack
// suite launches without it, as a real page is.
import { selectors } from 'playwright-core';

let registered = null;

/** Registers `ghl=<css>`: matches `css` inside our closed roots whose host is within the scope. */
export function registerEngine() {
  registered ??= selectors.register('ghl', () => ({
    query(scope, selector) {
      return this.queryAll(scope, selector)[0] ?? null;
    },
    queryAll(scope, selector) {
      const found = [];
      for (const [host, shadow] of globalThis.__ghlBridgeRoots ?? []) {
        if (host.isConnected && scope.contains(host)) found.push(...shadow.querySelectorAll(selector));
      }
      return found;
    },
  }));
  return registered;
}

/** Every page of `context` reports our hosts as they appear; their closed roots are then handed to the engine. */
export async function seeClosedRoots(context) {
  await registerEngine();
  const sessions = new WeakMap();
  await context.exposeBinding('__ghlBridgeHostSeen', async ({ page }) => {
    if (!page) return;
    if (!sessions.has(page)) sessions.set(page, context.newCDPSession(page));
    await handOver(await sessions.get(page)).catch(() => {}); // the page may be navigating away
  });
  await context.addInitScript(() => {
    const ours = (node) => node.nodeType === 1 && [...node.attributes].some((attribute) => attribute.name.startsWith('data-ghl-bridge'));
    new MutationObserver((records) => {
      if (records.some((record) => [...record.addedNodes].some(ours))) globalThis.__ghlBridgeHostSeen?.();
    }).observe(document, { childList: true, subtree: true });
  });
}

/** Puts every closed root of ours in the page's `__ghlBridgeRoots` (host → root). */
async function handOver(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const found = [];
  const walk = (node) => {
    const names = (node.attributes ?? []).filter((_, index) => index % 2 === 0);
    for (const shadow of node.shadowRoots ?? []) {
      if (shadow.shadowRootType === 'closed' && names.some((name) => name.startsWith('data-ghl-bridge'))) found.push([node, shadow]);
      walk(shadow);
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(root);
  for (const [host, shadow] of found) {
    const { object: hostObject } = await cdp.send('DOM.resolveNode', { backendNodeId: host.backendNodeId });
    const { object: rootObject } = await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId });
    await cdp.send('Runtime.callFunctionOn', {
      objectId: rootObject.objectId,
      functionDeclaration: 'function (host) { (globalThis.__ghlBridgeRoots ??= new Map()).set(host, this); }',
      arguments: [{ objectId: hostObject.objectId }],
    });
  }
}
