// Options page: reads the form, sends typed messages to the core, shows what comes back. No rules here — the
// core validates every value and writes every message the page shows. All text is set with textContent.
// @ts-check

/** The page's element for `selector` (the page is ours: every selector used here exists). @returns {any} */
const $ = (/** @type {string} */ selector) => document.querySelector(selector);
const { words } = globalThis.ghlBridge;
const statusLine = $('#status');
await globalThis.ghlBridge.ready();
globalThis.ghlBridge.localize(document);

/** Sends one message to the service worker; resolves to its data or throws `{code, message}`. */
async function send(type, fields = {}) {
  const answer = await chrome.runtime.sendMessage({ type, ...fields });
  if (!answer?.ok) {
    const error = new Error(answer?.error?.message ?? words('optionsTheExtensionDidNotAnswerReload'));
    throw Object.assign(error, { code: answer?.error?.code ?? 'internal', retryable: Boolean(answer?.error?.retryable) });
  }
  return answer.data;
}

/** Saves `text` as a file the browser downloads (`.csv` or `.json` by its name). */
function download(/** @type {string} */ text, /** @type {string} */ filename) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: filename.endsWith('.csv') ? 'text/csv' : 'application/json' }));
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function announce(text, { error = false } = {}) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

/** Runs `work` with `button` busy; announces the error if it fails. */
async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } catch (error) {
    announce(error.message, { error: true });
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// ---- Connection ----------------------------------------------------------------------------------------------

const connection = $('#connection');
const kind = () => connection.elements.kind.value;

function showKind() {
  for (const element of document.querySelectorAll('[data-kind]')) {
    if (element instanceof HTMLElement) element.hidden = element.dataset.kind !== kind();
  }
}

/**
 * The guided connect step: shown while nothing is set up, or when the page was opened at it (first run, "Connect
 * GHL" in the popup or the panel); opened at it, the first field takes the focus.
 */
function showConnectStep(view) {
  const asked = location.hash === '#connect';
  $('#connect-step').hidden = view.configured && !asked;
  if (asked) {
    $('#connect-step').scrollIntoView();
    (kind() === 'oauth' ? $('#token-endpoint') : $('#token')).focus();
  }
}

function fillSettings(view) {
  connection.elements.locationId.value = view.locationId ?? '';
  connection.elements.kind.value = view.authKind ?? 'pit';
  $('#token').value = '';
  $('#token-hint').textContent = view.tokenHint ? words('optionsTokenEnding', view.tokenHint) : '';
  $('#token-endpoint').value = view.tokenEndpoint ?? '';
  $('#client-id').value = view.clientId ?? '';
  showKind();
}

function settingsFromForm() {
  const auth = kind() === 'oauth'
    ? { kind: 'oauth', tokenEndpoint: $('#token-endpoint').value, clientId: $('#client-id').value }
    : { kind: 'pit', token: $('#token').value };
  return { locationId: connection.elements.locationId.value, auth };
}

/** The user's token endpoint is on their own host: ask for it now, inside the click (Chrome needs a gesture). */
async function allowTokenEndpoint(endpoint) {
  let origin;
  try {
    origin = `${new URL(endpoint.trim()).origin}/*`;
  } catch {
    return; // the core explains what a valid endpoint is
  }
  if (!chrome.permissions || !origin.startsWith('https://')) return;
  const granted = await chrome.permissions.request({ origins: [origin] });
  if (!granted) throw new Error(words('optionsWithoutPermission', origin.slice(0, -2)));
}

connection.addEventListener('change', (event) => { if (event.target.name === 'kind') showKind(); });

connection.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = event.submitter ?? connection.querySelector('button[type=submit]');
  busy(button, async () => {
    const settings = settingsFromForm();
    if (settings.auth.kind === 'oauth') await allowTokenEndpoint(settings.auth.tokenEndpoint);
    fillSettings(await send('settings.save', { settings }));
    fillMapping(await send('mapping.get')); // the location's custom fields, now that GHL can be asked
    announce(settings.auth.kind === 'oauth' ? words('optionsSavedClickConnectToAuthorizeGHL') : words('optionsSavedUseTestConnectionToCheck'));
  });
});

$('#show-token').addEventListener('click', (event) => {
  const input = $('#token');
  const show = input.type === 'password';
  input.type = show ? 'text' : 'password';
  event.currentTarget.textContent = show ? words('optionsHide') : words('optionsShow');
  event.currentTarget.setAttribute('aria-pressed', String(show));
});

function renderReport(report) {
  const box = $('#connection-report');
  const list = document.createElement('dl');
  const row = (term, detail) => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = detail;
    list.append(dt, dd);
  };
  row(words('optionsLocation'), report.locationName ? `${report.locationName} (${report.locationId})` : report.locationId);
  row(words('optionsReadContacts'), report.contactsReadonly ? words('optionsAllowed') : words('optionsNotAllowed'));
  row(words('optionsChangeContacts'), report.contactsWrite ? words('optionsAllowed') : words('optionsNotAllowed'));
  row(words('optionsMissingScopes'), report.missingScopes.length ? report.missingScopes.join(', ') : words('optionsNone'));
  const rate = report.rateLimit;
  if (rate?.remaining != null && rate?.max != null) {
    const seconds = rate.intervalMs ? ` per ${Math.round(rate.intervalMs / 1000)} s` : '';
    row(words('optionsRateLimitLeft'), `${rate.remaining} of ${rate.max}${seconds}`);
  }
  if (rate?.dailyRemaining != null && rate?.dailyLimit != null) row(words('optionsDailyRequestsLeft'), `${rate.dailyRemaining} of ${rate.dailyLimit}`);
  box.replaceChildren(list);
  box.hidden = false;
}

$('#test-connection').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => {
    announce(words('optionsTestingTheConnection'));
    $('#connection-report').hidden = true;
    const report = await send('connection.check');
    renderReport(report);
    announce(report.announcement, { error: report.missingScopes.length > 0 });
  });
});

$('#connect').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => {
    const { authorizeUrl } = await send('oauth.start', { redirectUri: chrome.identity.getRedirectURL() });
    let redirectUrl;
    try {
      redirectUrl = await chrome.identity.launchWebAuthFlow({ url: authorizeUrl, interactive: true });
    } catch (error) {
      throw new Error(words('optionsSignInClosed', error.message));
    }
    fillSettings(await send('oauth.finish', { redirectUrl }));
    announce(words('optionsConnectedToGHLUseTestConnection'));
  });
});

// ---- Field mapping -------------------------------------------------------------------------------------------

const mappingRows = $('#mapping-rows');
/** The core's mapping editor for the chosen host app: its rows, field choices, words and sample record. */
let mappingChoices = { app: '', appName: '', apps: [], hostFields: [], ghlFields: [], directions: [], transforms: [], sample: [] };
const transformOf = (field) => mappingChoices.transforms.find((t) => t.id === field)?.label ?? '—';

function select(options, value, label) {
  const box = document.createElement('select');
  box.setAttribute('aria-label', label);
  for (const option of options) box.append(new Option(option.label, option.id, false, option.id === value));
  if (![...box.options].some((option) => option.value === value)) box.append(new Option(`${value} (unknown)`, value, false, true));
  return box;
}

function mappingRow(row, index) {
  const tr = document.createElement('tr');
  const n = index + 1;
  const cells = [
    select(mappingChoices.hostFields, row.host, `Row ${n} ${mappingChoices.appName} field`),
    select(mappingChoices.ghlFields, row.ghl, words('optionsRowGhlField', String(n))),
    select(mappingChoices.directions, row.direction, `Row ${n} direction`),
  ];
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = words('optionsRemove');
  remove.setAttribute('aria-label', words('optionsRemoveRow', String(n)));
  remove.addEventListener('click', () => { tr.remove(); renumber(); });
  const transform = document.createElement('span');
  transform.className = 'hint';
  transform.textContent = transformOf(row.host);
  cells[0].addEventListener('change', () => { transform.textContent = transformOf(cells[0].value); });
  for (const cell of [...cells, transform, remove]) {
    const td = document.createElement('td');
    td.append(cell);
    tr.append(td);
  }
  return tr;
}

function renumber() {
  const rows = readMapping().rows;
  mappingRows.replaceChildren(...rows.map(mappingRow));
}

function readMapping() {
  const rows = [...mappingRows.querySelectorAll('tr')].map((tr) => {
    const [host, ghl, direction] = [...tr.querySelectorAll('select')].map((box) => box.value);
    return { host, ghl, direction };
  });
  return { rows };
}

function fillMapping(editor) {
  mappingChoices = editor;
  fillHostApps();
  const apps = $('#mapping-app');
  apps.replaceChildren(...editor.apps.map((app) => new Option(app.label, app.id, false, app.id === editor.app)));
  $('#host-field-heading').textContent = `${editor.appName} field`;
  mappingRows.replaceChildren(...editor.rows.map(mappingRow));
  $('#sample-fields').replaceChildren(...editor.sample.map((field) => {
    const wrapper = document.createElement('div');
    const label = document.createElement('label');
    label.htmlFor = `sample-${field.field}`;
    label.textContent = field.label;
    const input = document.createElement('input');
    input.id = `sample-${field.field}`;
    input.dataset.field = field.field;
    input.value = field.value;
    wrapper.append(label, input);
    return wrapper;
  }));
  $('#custom-fields-note').textContent = editor.customFieldsNote ?? '';
  $('#custom-fields-note').hidden = !editor.customFieldsNote;
}

$('#mapping-app').addEventListener('change', (event) => {
  const choice = event.currentTarget;
  busy(choice, async () => fillMapping(await send('mapping.get', { app: choice.value })));
});

$('#add-row').addEventListener('click', () => {
  const rows = readMapping().rows;
  rows.push({ host: mappingChoices.hostFields[0]?.id ?? '', ghl: 'phone', direction: 'off' });
  mappingRows.replaceChildren(...rows.map(mappingRow));
  mappingRows.lastElementChild.querySelector('select').focus();
});

$('#mapping').addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? $('#mapping button[type=submit]'), async () => {
    const saved = await send('mapping.save', { app: mappingChoices.app, mapping: readMapping() });
    mappingRows.replaceChildren(...saved.rows.map(mappingRow));
    announce(words('optionsFieldMappingSavedAgentsNextSync'));
  });
});

$('#preview').addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? $('#preview button[type=submit]'), async () => {
    // The sample record stands on the app's own host (the core fills in where); the values are the form's.
    const fields = Object.fromEntries([...$('#sample-fields').querySelectorAll('input')]
      .filter((input) => input.value.trim()).map((input) => [input.dataset.field, input.value.trim()]));
    const sample = { host: '', recordId: '', fields };
    const contact = $('#preview-contact').value.trim();
    const preview = await send('mapping.preview', { app: mappingChoices.app, mapping: readMapping(), sample, ...(contact ? { contact } : {}) });
    const table = document.createElement('table');
    table.createCaption().textContent = preview.contactId ? words('optionsSyncWithContact', preview.contactId) : words('optionsANewGHLContactWouldBe');
    const head = table.createTHead().insertRow();
    for (const title of [words('optionsField'), mappingChoices.appName, 'GHL', words('optionsWhatHappens')]) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = title;
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of preview.rows) {
      const tr = body.insertRow();
      tr.dataset.action = row.action;
      for (const text of [row.label, row.hostValue ?? '—', row.ghlValue ?? '—', row.effect]) tr.insertCell().textContent = text;
    }
    $('#preview-result').replaceChildren(table);
    $('#preview-result').hidden = false;
    announce(preview.summary);
  });
});

// ---- Sync preferences ----------------------------------------------------------------------------------------

const preferencesForm = $('#preferences');

/** One switch per host app the core knows (from the mapping editor's list): the panel shows in the checked ones. */
let hostsOff = [];
/** The preferences as last saved: a form that sets some of them sends the rest unchanged. */
let currentPreferences = /** @type {any} */ ({});
/** A checkbox with its label (`data` goes on the box's dataset). */
function checkbox(/** @type {string} */ text, /** @type {boolean} */ checked, /** @type {Record<string, string>} */ data) {
  const label = document.createElement('label');
  label.className = 'choice';
  const box = document.createElement('input');
  box.type = 'checkbox';
  Object.assign(box.dataset, data);
  box.checked = checked;
  label.append(box, ' ', text);
  return label;
}

/** Per host app: whether the panel shows there, and which of its sections (each a GHL request saved when off). */
function fillHostApps() {
  const groups = mappingChoices.apps.map((app) => {
    const sections = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = words('optionsPanelSectionsIn', app.label);
    sections.append(legend, ...(mappingChoices.panelSections ?? []).map((section) =>
      checkbox(section.label, !currentPreferences.sectionsOff?.includes(`${app.id}.${section.id}`), { section: `${app.id}.${section.id}` })));
    const group = document.createElement('div');
    group.append(checkbox(words('optionsShowPanelIn', app.label), !hostsOff.includes(app.id), { app: app.id }), sections);
    return group;
  });
  const fieldset = $('#host-apps');
  fieldset.replaceChildren(fieldset.querySelector('legend'), ...groups);
}

function fillPreferences(preferences) {
  currentPreferences = preferences;
  hostsOff = preferences.hostsOff ?? [];
  $('#check-when').value = preferences.dataCheck?.schedule ?? 'off';
  $('#check-alert-over').value = preferences.dataCheck?.alertOver ?? 0;
  $('#check-alert-stale').checked = preferences.dataCheck?.alertStale ?? true;
  fillHostApps();
  $('#sync-enabled').checked = preferences.syncEnabled;
  $('#cadence').value = preferences.cadenceMinutes;
  $('#refresh-share').value = preferences.refreshSharePercent;
  $('#phone-country').value = preferences.phoneCountry ?? '';
  $('#follow-up-enabled').checked = preferences.followUp.enabled;
  $('#follow-up-title').value = preferences.followUp.title;
  $('#follow-up-days').value = preferences.followUp.dueInDays;
  $('#send-new-notes').checked = preferences.sendNewNotes;
  $('#verbose-log').checked = preferences.verboseLog;
  $('#alert-auth').checked = preferences.alerts.onAuthFailure;
  $('#alert-failures').value = preferences.alerts.afterFailures;
  $('#alert-window').value = preferences.alerts.windowMinutes;
}

/** A number box as typed: a whole number, or the text itself so the core can say what is wrong with it. */
const numberOf = (input) => (/^\d+$/.test(input.value.trim()) ? Number(input.value) : input.value);

preferencesForm.addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? preferencesForm.querySelector('button[type=submit]'), async () => {
    const preferences = {
      syncEnabled: $('#sync-enabled').checked,
      cadenceMinutes: numberOf($('#cadence')),
      refreshSharePercent: numberOf($('#refresh-share')),
      phoneCountry: $('#phone-country').value || null,
      followUp: { enabled: $('#follow-up-enabled').checked, title: $('#follow-up-title').value, dueInDays: numberOf($('#follow-up-days')) },
      sendNewNotes: $('#send-new-notes').checked,
      verboseLog: $('#verbose-log').checked,
      alerts: { onAuthFailure: $('#alert-auth').checked, afterFailures: numberOf($('#alert-failures')), windowMinutes: numberOf($('#alert-window')) },
      hostsOff: [...document.querySelectorAll('#host-apps input[data-app]')].map((box) => /** @type {HTMLInputElement} */ (box))
        .filter((box) => !box.checked).map((box) => box.dataset.app),
      sectionsOff: [...document.querySelectorAll('#host-apps input[data-section]')].map((box) => /** @type {HTMLInputElement} */ (box))
        .filter((box) => !box.checked).map((box) => box.dataset.section),
      dataCheck: currentPreferences.dataCheck,
    };
    fillPreferences(await send('preferences.save', { preferences }));
    announce(words('optionsSyncSettingsSaved'));
  });
});

// ---- Data check ----------------------------------------------------------------------------------------------

/** "about 3 min left" from the core's estimate. */
const timeLeft = (ms) => (ms < 60_000 ? words('optionsCheckSecondsLeft', String(Math.max(1, Math.round(ms / 1000))))
  : words('optionsCheckMinutesLeft', String(Math.round(ms / 60_000))));

let checkKinds = [];

/** Draws where the check is; answers whether it is still running. */
function showCheck(/** @type {any} */ progress) {
  const running = progress.state === 'running';
  checkKinds = progress.kinds ?? checkKinds;
  $('#check-progress').hidden = progress.state === 'idle';
  $('#check-bar').max = Math.max(progress.total, 1);
  $('#check-bar').value = progress.done;
  const eta = running && progress.etaMs != null ? ` ${timeLeft(progress.etaMs)}` : '';
  $('#check-progress-label').textContent = `${progress.summary}${eta}`;
  $('#check-rate').textContent = progress.requests
    ? words('optionsCheckRequests', String(progress.requests), String(progress.requestsPerMinute ?? 0), String(progress.rateSharePercent), String(progress.throttled))
    : '';
  $('#check-run').hidden = running;
  $('#check-cancel').hidden = !running;
  $('#check-resume').hidden = !(running && !checkDriving);
  $('#check-filter').hidden = progress.state === 'idle';
  fillCheckFilter();
  $('#check-history').replaceChildren(...progress.history.slice().reverse().map((run) => {
    const item = document.createElement('li');
    const found = run.byKind.filter((kind) => kind.count > 0).map((kind) => `${checkKinds.find((known) => known.id === kind.kind)?.label ?? kind.kind}: ${kind.count}`);
    item.textContent = words('optionsCheckHistoryRun', logTime.format(new Date(run.startedAtMs)), run.state, String(run.checked), found.join(', ') || '—');
    return item;
  }));
  return running;
}

function fillCheckFilter() {
  const kind = $('#check-kind');
  if (kind.options.length === checkKinds.length + 1) return;
  const option = (value, text) => Object.assign(document.createElement('option'), { value, textContent: text });
  kind.replaceChildren(option('', words('optionsCheckAnyProblem')), ...checkKinds.map((known) => option(known.id, known.label)));
  $('#check-app').replaceChildren(option('', words('optionsCheckAnyApp')), ...mappingChoices.apps.map((app) => option(app.id, app.label)));
}

function checkFilter() {
  const day = (input, end) => (input.value ? Date.parse(`${input.value}T${end ? '23:59:59.999' : '00:00:00'}`) : undefined);
  return {
    kinds: $('#check-kind').value ? [$('#check-kind').value] : [],
    app: $('#check-app').value || undefined,
    seenFromMs: day($('#check-from'), false),
    seenToMs: day($('#check-to'), true),
  };
}

/** The findings as a table: the record (opens it in the host app), its GHL contact, what disagrees, and Sync. */
async function showFindings() {
  const findings = await send('dataCheck.report', { filter: checkFilter() });
  const box = $('#check-findings');
  if (!findings.length) {
    box.replaceChildren(Object.assign(document.createElement('p'), { textContent: words('optionsCheckNothingFound') }));
    return findings.length;
  }
  const table = document.createElement('table');
  table.createCaption().textContent = words('optionsCheckFindingsCaption', String(findings.length));
  const head = table.createTHead().insertRow();
  for (const title of [words('optionsCheckRecord'), words('optionsCheckProblems'), words('optionsCheckLastSeen'), words('optionsCheckActions')]) {
    head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: title }));
  }
  const body = table.createTBody();
  for (const finding of findings) {
    const row = body.insertRow();
    const record = row.insertCell();
    const link = (href, text) => Object.assign(document.createElement('a'), { href, textContent: text, target: '_blank', rel: 'noopener noreferrer' });
    record.append(finding.pageUrl ? link(finding.pageUrl, finding.label) : finding.label, document.createElement('br'),
      Object.assign(document.createElement('span'), { className: 'hint', textContent: finding.appName }), ' · ', link(finding.ghlUrl, words('optionsCheckOpenInGhl')));
    const problems = row.insertCell();
    const list = document.createElement('ul');
    for (const problem of finding.problems) {
      const item = document.createElement('li');
      item.textContent = `${checkKinds.find((kind) => kind.id === problem.kind)?.label ?? problem.kind}: ${problem.text}`;
      for (const field of problem.fields ?? []) {
        item.append(Object.assign(document.createElement('div'), { className: 'hint', textContent: words('optionsCheckFieldValues', field.label, field.hostValue, field.ghlValue) }));
      }
      list.append(item);
    }
    problems.append(list);
    row.insertCell().textContent = finding.seenAtMs ? logTime.format(new Date(finding.seenAtMs)) : '—';
    const actions = row.insertCell();
    if (finding.syncable && finding.record) {
      const sync = Object.assign(document.createElement('button'), { type: 'button', textContent: words('optionsCheckSync') });
      sync.setAttribute('aria-label', words('optionsCheckSyncNamed', finding.label));
      const area = document.createElement('div');
      sync.addEventListener('click', () => busy(sync, () => previewSync(finding, area)));
      actions.append(sync, area);
    }
  }
  box.replaceChildren(table);
  return findings.length;
}

/** "Sync this contact" from a finding: the same preview and rules as the panel's, on the record as last seen. */
async function previewSync(/** @type {any} */ finding, /** @type {HTMLElement} */ area) {
  const preview = await send('contact.syncPreview', { record: finding.record });
  const list = document.createElement('ul');
  for (const row of preview.rows.filter((planned) => planned.action === 'updateGhl' || planned.action === 'updateHost')) {
    list.append(Object.assign(document.createElement('li'), { textContent: `${row.label}: ${row.effect}` }));
  }
  const heading = Object.assign(document.createElement('p'), { textContent: preview.heading });
  if (preview.inSync) {
    area.replaceChildren(heading);
    return;
  }
  const apply = Object.assign(document.createElement('button'), { type: 'button', textContent: preview.applyLabel });
  apply.addEventListener('click', () => busy(apply, async () => {
    const result = await send('contact.sync', { record: finding.record, fingerprint: preview.fingerprint });
    area.replaceChildren(Object.assign(document.createElement('p'), { role: 'status', textContent: result.summary }));
  }));
  area.replaceChildren(heading, list, apply);
}

/** Whether this page is stepping a run now (a run left running by a closed page or a stopped worker can be resumed). */
let checkDriving = false;

/** Steps the run to its end, drawing the progress after each step. */
async function driveCheck() {
  checkDriving = true;
  try {
    let progress = await send('dataCheck.status');
    while (showCheck(progress)) {
      try {
        progress = await send('dataCheck.step');
      } catch (error) {
        // GHL is busy or away (the core says it may pass): the run waits where it is, and goes on after a pause.
        if (!error.retryable) throw error;
        announce(error.message, { error: true });
        await new Promise((resolve) => setTimeout(resolve, 5000));
        progress = await send('dataCheck.status');
      }
    }
  } finally {
    checkDriving = false;
  }
  showCheck(await send('dataCheck.status'));
  await showFindings();
}

/** The check as it stands when the page opens: a run left under way can be resumed; a finished one shows its findings. */
async function loadCheck() {
  const progress = await send('dataCheck.status');
  showCheck(progress);
  if (progress.state !== 'idle' && progress.state !== 'running') await showFindings();
}

$('#check-run').addEventListener('click', (event) => busy(event.currentTarget, async () => {
  showCheck(await send('dataCheck.start'));
  await driveCheck();
}));
$('#check-resume').addEventListener('click', (event) => busy(event.currentTarget, driveCheck));
$('#check-cancel').addEventListener('click', (event) => busy(event.currentTarget, async () => showCheck(await send('dataCheck.cancel'))));
$('#check-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? $('#check-filter button[type=submit]'), async () => announce(words('optionsCheckShown', String(await showFindings()))));
});
for (const format of ['json', 'csv']) {
  $(`#check-${format}`).addEventListener('click', (event) => busy(event.currentTarget, async () => {
    download(await send('dataCheck.export', { filter: checkFilter(), format }), `ghl-bridge-data-check.${format}`);
  }));
}
$('#check-schedule').addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? $('#check-schedule button[type=submit]'), async () => {
    const dataCheck = { schedule: $('#check-when').value, alertOver: numberOf($('#check-alert-over')), alertStale: $('#check-alert-stale').checked };
    fillPreferences(await send('preferences.save', { preferences: { ...currentPreferences, dataCheck } }));
    announce(words('optionsCheckScheduleSaved'));
  });
});

// ---- Sync log ------------------------------------------------------------------------------------------------

function logFilter() {
  const day = (id, end) => {
    const value = $(id).value;
    if (!value) return undefined;
    const date = new Date(`${value}T00:00:00`); // the agent's local day
    return date.getTime() + (end ? 86_400_000 - 1 : 0);
  };
  const filter = { errorsOnly: $('#log-errors').checked };
  const contactId = $('#log-contact').value.trim();
  if (contactId) filter.contactId = contactId;
  const fromMs = day('#log-from', false);
  const toMs = day('#log-to', true);
  if (fromMs !== undefined) filter.fromMs = fromMs;
  if (toMs !== undefined) filter.toMs = toMs;
  return filter;
}

const logTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

async function showLog() {
  const entries = await send('log.query', { filter: logFilter() });
  const table = document.createElement('table');
  table.createCaption().textContent = entries.length === 1 ? words('optionsLogEntry', '1') : words('optionsLogEntries', String(entries.length));
  const head = table.createTHead().insertRow();
  for (const title of [words('optionsTime'), words('optionsOperation'), words('optionsContact'), words('optionsResult'), words('optionsMessage'), words('optionsTraceId'), 'ms']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const entry of entries) {
    const row = body.insertRow();
    row.dataset.ok = String(entry.ok);
    const cells = [logTime.format(new Date(entry.atMs)), entry.operation, entry.contactId ?? '', entry.ok ? 'OK' : `Failed (${entry.errorCode})`,
      entry.message, entry.traceId ?? '', String(entry.durationMs)];
    for (const text of cells) row.insertCell().textContent = text;
  }
  $('#log-entries').replaceChildren(table);
  return entries.length;
}

$('#log-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  busy(event.submitter ?? $('#log-filter button[type=submit]'), async () => announce(words('optionsLogShown', String(await showLog()))));
});

for (const format of ['json', 'csv']) {
  $(`#log-${format}`).addEventListener('click', (event) => {
    busy(event.currentTarget, async () => {
      download(await send('log.export', { filter: logFilter(), format }), `ghl-bridge-log.${format}`);
      announce(words('optionsLogExported', format.toUpperCase()));
    });
  });
}

// ---- Reading host pages --------------------------------------------------------------------------------------

function showOverrides(all) {
  const list = $('#reader-overrides');
  // The core names each field (`fieldLabels`: [field, words] pairs).
  const items = all.flatMap((group) => group.items.map((item) => ({
    app: group.app, ...item, fieldWords: group.fieldLabels.find(([field]) => field === item.field)?.[1] ?? item.field,
  })));
  list.replaceChildren(...(items.length ? items.map((item) => {
    const where = item.label ? words('optionsNextToLabel', item.label) : words('optionsAtPath', item.path);
    const line = document.createElement('li');
    line.textContent = `${item.app}: ${item.fieldWords} ${where}`;
    return line;
  }) : [Object.assign(document.createElement('li'), { textContent: words('optionsNoneEveryPageWasReadWithout') })]));
}

async function loadOverrides() {
  showOverrides(await send('reader.overridesGet'));
}

$('#overrides-export').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => {
    const all = await send('reader.overridesGet');
    download(`${JSON.stringify({ format: 'ghl-bridge-reading/1', apps: all }, null, 2)}\n`, 'ghl-bridge-reading-fixes.json');
    announce(words('optionsReadingFixesExported'));
  });
});

$('#overrides-import').addEventListener('change', (event) => {
  const input = event.currentTarget;
  const file = input.files?.[0];
  if (!file) return;
  busy(input, async () => {
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      throw new Error(words('optionsThatFileIsNotAReading'));
    }
    const apps = Array.isArray(parsed?.apps) ? parsed.apps : [];
    if (!apps.length) throw new Error(words('optionsThatFileHoldsNoReadingFixes'));
    for (const overrides of apps) await send('reader.overridesImport', { overrides });
    await loadOverrides();
    announce(words('optionsFixesImported', apps.map((group) => group.app).join(', ')));
    input.value = '';
  });
});

// ---- Data ----------------------------------------------------------------------------------------------------

$('#export').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => {
    const exported = await send('data.export');
    download(`${JSON.stringify(exported, null, 2)}\n`, 'ghl-bridge-settings.json');
    announce(words('optionsSettingsExportedWithoutTheToken'));
  });
});

// Saved panel views and cached names only: links, queued edits and settings stay (the core says what it cleared).
$('#clear-cache').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => announce(await send('data.clearCache')));
});

const resetConfirm = $('#reset-confirm');
$('#reset').addEventListener('click', () => { resetConfirm.hidden = false; $('#reset-no').focus(); });
$('#reset-no').addEventListener('click', () => { resetConfirm.hidden = true; $('#reset').focus(); });
$('#reset-yes').addEventListener('click', (event) => {
  busy(event.currentTarget, async () => {
    fillSettings(await send('data.reset'));
    fillPreferences(await send('preferences.get'));
    fillMapping(await send('mapping.get'));
    resetConfirm.hidden = true;
    $('#connection-report').hidden = true;
    announce(words('optionsEverythingWasResetEnterTheConnection'));
  });
});

// ---- Start ---------------------------------------------------------------------------------------------------

Promise.all([send('settings.get'), send('preferences.get'), send('mapping.get')]).then(
  ([settings, preferences, mapping]) => {
    fillSettings(settings);
    showConnectStep(settings);
    fillMapping(mapping);
    fillPreferences(preferences);
    loadOverrides();
    loadCheck();
  },
  (error) => announce(error.message, { error: true }),
);

export {}; // a module (top-level await; its names stay its own)
