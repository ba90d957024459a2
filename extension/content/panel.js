// The GHL panel: our own element with a shadow root, so the host page's CSS cannot reach in and ours cannot
// leak out. Everything shown is set with textContent — GHL and page text are never parsed as HTML.
'use strict';

(() => {
  const STYLE = `
    :host { all: initial; position: fixed; top: 72px; right: 12px; z-index: 2147483000; width: 320px;
            max-height: calc(100vh - 96px); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    section { display: flex; flex-direction: column; max-height: inherit; border-radius: 10px; overflow: hidden;
              background: #ffffff; color: #1f2937; border: 1px solid #cbd5e1; box-shadow: 0 8px 24px rgb(15 23 42 / 18%); }
    header { display: flex; align-items: center; gap: 8px; padding: 8px 10px; background: #1d4ed8; color: #ffffff; }
    header h2 { flex: 1; margin: 0; font-size: 14px; font-weight: 600; }
    header small { font-weight: 400; opacity: .85; }
    button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid #94a3b8; background: #f8fafc;
             color: #0f172a; padding: 3px 10px; }
    button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
    header button { background: transparent; color: #ffffff; border-color: rgb(255 255 255 / 60%); }
    .body { padding: 10px 12px; overflow: auto; }
    .body[hidden] { display: none; }
    h3 { margin: 0 0 4px; font-size: 16px; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 6px 0; }
    dt { color: #475569; } dd { margin: 0; overflow-wrap: anywhere; }
    ul.tags { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 6px 0 0; padding: 0; }
    ul.tags li { background: #e0e7ff; color: #1e3a8a; border-radius: 999px; padding: 1px 8px; }
    .status { color: #475569; }
    .problem { border-left: 4px solid #b91c1c; padding: 6px 8px; background: #fef2f2; color: #7f1d1d; }
    .problem strong { display: block; }
    .note { margin-top: 8px; font-size: 11px; color: #64748b; }
    @media (prefers-color-scheme: dark) {
      section { background: #0f172a; color: #e2e8f0; border-color: #334155; }
      header { background: #1e3a8a; }
      dt, .status, .note { color: #94a3b8; }
      button { background: #1e293b; color: #e2e8f0; border-color: #475569; }
      ul.tags li { background: #1e3a8a; color: #e0e7ff; }
      .problem { background: #450a0a; color: #fecaca; border-left-color: #f87171; }
    }`;

  // Short headings for the error codes the core returns; the core's message says what to do.
  const PROBLEM_TITLES = {
    not_configured: 'GHL is not connected',
    invalid_settings: 'GHL settings need attention',
    unauthorized: 'GHL rejected the token',
    missing_scope: 'The token is missing permissions',
    forbidden: 'No access to this GHL location',
    no_identity: 'Cannot match this customer',
    rate_limited: 'GHL is busy',
    daily_limit: 'Daily GHL limit reached',
    server_error: 'GHL is having trouble',
    network: 'GHL is unreachable',
    timeout: 'GHL did not answer',
    bad_response: 'Unexpected answer from GHL',
    record_unreadable: 'Cannot read this record',
    extension_reloaded: 'The extension was updated',
  };

  function element(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = value;
      else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
      else if (value !== undefined && value !== null) node.setAttribute(key, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function adoptStyle(shadow) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      shadow.adoptedStyleSheets = [sheet]; // not subject to the page's style-src CSP
    } catch {
      shadow.append(element('style', { text: STYLE }));
    }
  }

  /** Mounts the panel; returns the handle the content script drives. */
  function mountPanel({ onRetry }) {
    const host = element('div', { id: 'ghl-bridge-panel', 'data-ghl-bridge': '' });
    const shadow = host.attachShadow({ mode: 'open' });
    adoptStyle(shadow);

    const bodyId = 'ghl-bridge-body';
    const toggle = element('button', { type: 'button', 'aria-expanded': 'true', 'aria-controls': bodyId, text: 'Hide' });
    const body = element('div', { class: 'body', id: bodyId });
    const status = element('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const content = element('div');
    body.append(status, content);
    toggle.addEventListener('click', () => {
      const expanded = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(expanded));
      toggle.textContent = expanded ? 'Hide' : 'Show';
      body.hidden = !expanded;
    });
    const region = element('section', { 'aria-label': 'GoHighLevel' }, [
      element('header', {}, [element('h2', { text: 'GoHighLevel' }), toggle]),
      body,
    ]);
    shadow.append(region);
    document.documentElement.append(host);

    const replace = (...nodes) => content.replaceChildren(...nodes);

    return {
      /** Re-attaches the panel if the page removed it. */
      ensureAttached() {
        if (!host.isConnected) document.documentElement.append(host);
      },
      showLoading(text = 'Looking up this customer in GHL…') {
        status.textContent = text;
        region.setAttribute('aria-busy', 'true');
        replace();
      },
      showProblem(problem) {
        region.setAttribute('aria-busy', 'false');
        status.textContent = '';
        const box = element('div', { class: 'problem', role: 'alert', 'data-code': problem.code }, [
          element('strong', { text: PROBLEM_TITLES[problem.code] ?? 'Something went wrong' }),
          element('span', { text: problem.message }),
        ]);
        const retry = problem.retryable
          ? element('button', { type: 'button', text: 'Try again', on: { click: () => onRetry() } })
          : null;
        replace(box, retry && element('p', {}, [retry]));
      },
      showView(view) {
        region.setAttribute('aria-busy', 'false');
        if (view.state === 'unmatched') {
          status.textContent = '';
          replace(
            element('p', { text: 'No GHL contact matches this customer.' }),
            element('p', { class: 'note', text: `Searched by ${view.searched.join(', ')}.` }),
          );
          return;
        }
        const { contact } = view;
        status.textContent = '';
        const facts = element('dl');
        for (const [label, value] of [['Email', contact.email], ['Phone', contact.phone], ['Company', contact.companyName]]) {
          if (value) facts.append(element('dt', { text: label }), element('dd', { text: value }));
        }
        const tags = contact.tags.length
          ? element('ul', { class: 'tags', 'aria-label': 'Tags' }, contact.tags.map((tag) => element('li', { text: tag })))
          : null;
        replace(
          element('h3', { text: contact.name }),
          facts,
          tags,
          element('p', { class: 'note', text: 'GHL data — not visible to engineers or on job sheets.' }),
        );
      },
      destroy() {
        host.remove();
      },
    };
  }

  globalThis.ghlBridge.mountPanel = mountPanel;
})();
