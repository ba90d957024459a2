// Markup variants of a host record's details, written from the public facts (../shared/docs/commusoft.md) and from
// how Angular and React apps render label/value data — not from our replica. Each names the fields the reader
// must read (and, by leaving them out, the fields it must not read). `overrides` marks the variants the generic
// reader cannot read alone: the agent points at the value once ("This isn't right").
// Shared by the reader test (tests/e2e/reader.test.mjs) and the reader benchmark (tools/bench-reader.mjs).

const JANE = 'jane.doe@example.com';
const main = (inner) => `<div id="main" class="ng-scope">${inner}</div>`;
const details = (body, heading = '<span class="panel-title">Customer Details</span>') =>
  main(`<aside class="side-panel"><div class="panel"><div class="panel-heading">${heading}</div><div class="panel-body">${body}</div></div></aside>`);
const row = (label, value) => `<div class="row ng-scope"><div class="col-label"><span class="ng-binding">${label}</span></div><div class="col-value ng-binding">${value}</div></div>`;

/** 200 jobs of the customer, each with its own text, as a busy record shows them. */
export function jobsList(count = 200) {
  const rows = Array.from({ length: count }, (_, i) =>
    `<tr class="ng-scope"><td>J-${1000 + i}</td><td>Boiler service ${i}</td><td>${(i % 28) + 1}/11/2026</td><td><a href="#">View</a></td><td>Engineer ${i % 7}</td></tr>`).join('');
  return `<section class="jobs"><h2>All Works</h2><table><thead><tr><th>Job</th><th>Description</th><th>Date</th><th></th><th>Engineer</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export const VARIANTS = [
  {
    name: 'v2 panel: the heading row also holds the Edit button (the page that failed)',
    html: details(row('Email', JANE) + row('Mobile', '<a href="tel:07700900123">07700 900123</a>'),
      '<span>Customer Details</span><a id="editcustomer" class="pointer-curser text-color float-right">Edit</a>'),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'heading with an icon and a count badge',
    html: details(row('Email', JANE), '<h3><i class="fa fa-user"></i> Customer details <span class="badge">2</span></h3>'),
    expect: { email: JANE },
  },
  {
    name: 'dt/dd pairs',
    html: main(`<h2>Customer Details</h2><dl><dt>Name</dt><dd>Mrs Jane Doe</dd><dt>E-mail</dt><dd>${JANE}</dd><dt>Mobile</dt><dd>07700 900123</dd></dl>`),
    expect: { name: 'Mrs Jane Doe', email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'th/td rows',
    html: main(`<h3>Customer Details</h3><table><tr><th>Email</th><td>${JANE}</td></tr><tr><th>Telephone</th><td>020 7946 0123</td></tr></table>`),
    expect: { email: JANE, landline: '020 7946 0123' },
  },
  {
    name: 'a header row above one row of values',
    html: main(`<h3>Customer Details</h3><table><thead><tr><th>Name</th><th>Email</th></tr></thead><tbody><tr><td>Jane Doe</td><td>${JANE}</td></tr></tbody></table>`),
    expect: { name: 'Jane Doe', email: JANE },
  },
  {
    name: 'li label followed by li value (the QA suites\' "Account no" pattern)',
    html: main(`<div><h4>Customer Details</h4><ul><li>Email</li><li class="ng-binding">${JANE}</li><li>Account no</li><li class="ng-binding">ACC-0042</li></ul></div>`),
    expect: { email: JANE, accountNumber: 'ACC-0042' },
  },
  {
    name: 'label for a read-only input',
    html: main(`<fieldset><legend>Customer Details</legend><label for="e">Email address</label><input id="e" value="${JANE}" readonly><label for="m">Mobile number</label><input id="m" value="07700 900123" readonly></fieldset>`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: '"Label: value" in one element',
    html: main(`<div class="card"><h3>Customer Details</h3><p>Email: ${JANE}</p><p>Mobile: 07700 900123</p></div>`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'bold label, value as text beside it',
    html: main(`<div><h3>Customer Details</h3><div><strong>Email:</strong> ${JANE}</div><div><b>Mobile</b> 07700 900123</div></div>`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'value is a link whose text is not the address (mailto: carries it)',
    html: details(row('Email', `<a href="mailto:${JANE}">Send an email</a>`) + row('Mobile', '07700 900123')),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'AngularJS value between comment anchors',
    html: details(`<div class="row"><span>Email</span> <span class="ng-binding"><!-- ngIf: customer.email -->${JANE}<!-- end ngIf: customer.email --></span></div>`),
    expect: { email: JANE },
  },
  {
    name: 'label and value spans in one row',
    html: details(`<div><span class="lbl">Email</span><span class="val ng-binding">${JANE}</span></div><div><span class="lbl">Mobile</span><span class="val">07700 900123</span></div>`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'address shown as one element per line',
    html: details(row('Email', JANE) + row('Address', '<div>14 Orchard Way</div><div>Ashford</div><div>TN23 4PL</div>')),
    expect: { email: JANE, address: '14 Orchard Way, Ashford, TN23 4PL' },
  },
  {
    name: 'address lines separated by <br>',
    html: details(row('Email', JANE) + row('Address', '14 Orchard Way<br>Ashford<br>TN23 4PL')),
    expect: { email: JANE, address: '14 Orchard Way, Ashford, TN23 4PL' },
  },
  {
    name: 'React card: hashed classes, values named by aria-label',
    html: main(`<div class="sc-bdVaJa kTjQvJ"><h2 class="sc-htpNat">Contact details</h2><div class="sc-bxivhb"><span class="sc-ifAKCX" aria-label="Email">${JANE}</span><span class="sc-EHOje" aria-label="Mobile">07700 900123</span></div></div>`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'no details heading: pairs anywhere in the record\'s container',
    html: main(`<div class="left"><div>Email</div><div>${JANE}</div></div><div class="right">${jobsList(3)}</div>`),
    expect: { email: JANE },
  },
  {
    name: 'a hidden stale copy of the details next to the visible one',
    html: main(`<div style="display:none"><h3>Customer Details</h3>${row('Email', 'old.customer@example.com')}</div><div><h3>Customer Details</h3>${row('Email', JANE)}</div>`),
    expect: { email: JANE },
  },
  {
    name: 'two different emails in the details: neither is read, the phone is',
    html: details(row('Email', JANE) + row('Email', 'bob@example.com') + row('Mobile', '07700 900123')),
    expect: { mobile: '07700 900123' },
  },
  {
    name: 'a Copy button inside the value',
    html: details(row('Email', `${JANE} <button type="button">Copy</button>`)),
    expect: { email: JANE },
  },
  {
    name: 'email shown as a button to Commusoft\'s e-mail builder (no mailto:)',
    html: details(row('Email', `<a class="ng-binding email-builder" role="button">${JANE}</a>`)),
    expect: { email: JANE },
  },
  {
    name: 'a remark after the phone number',
    html: details(row('Mobile', '07700 900123 (mobile)') + row('Email', JANE)),
    expect: { email: JANE, mobile: '07700 900123 (mobile)' },
  },
  {
    name: 'placeholders instead of values: read nothing',
    html: details(row('Email', 'n/a') + row('Mobile', '—') + row('Name', 'Mrs Jane Doe')),
    expect: { name: 'Mrs Jane Doe' },
    usable: false,
  },
  {
    name: 'only a tel: link in the details',
    html: details('<a href="tel:+442079460123">Call the customer</a>'),
    expect: { landline: '+442079460123' },
  },
  {
    name: 'upper-case labels with asterisks',
    html: details(row('E-MAIL ADDRESS *', JANE) + row('MOBILE NO', '07700 900123')),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'work address record',
    html: details(row('Contact name', 'Tom Newman') + row('Email', 'tom.newman@example.com'), '<span>Work address details</span>'),
    expect: { name: 'Tom Newman', email: 'tom.newman@example.com' },
  },
  {
    name: 'the open edit form (Angular formcontrolname) is the only place with values',
    html: main(`<form><input formcontrolname="name" id="name" value="Jane"><input name="customerDetails.surname" formcontrolname="surname" value="Doe"><input name="customerEmail" formcontrolname="email" value="${JANE}"><input name="customerMobileNumber" formcontrolname="mobile" value="07700 900123"></form>`),
    expect: { name: 'Jane Doe', email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'a jobs list with an Email column, no details: not this record\'s value',
    html: main(`<table><thead><tr><th>Contact</th><th>Email</th></tr></thead><tbody><tr><td>A</td><td>a@example.com</td></tr><tr><td>B</td><td>b@example.com</td></tr></tbody></table>`),
    expect: {},
    usable: false,
  },
  {
    name: 'a customer with 200 jobs in the page',
    html: main(`<aside><div class="panel"><div class="panel-heading"><span>Customer Details</span><a id="editcustomer">Edit</a></div><div class="panel-body">${row('Email', JANE)}${row('Mobile', '07700 900123')}</div></div></aside>${jobsList(200)}`),
    expect: { email: JANE, mobile: '07700 900123' },
  },
  {
    name: 'escaped mailto: (%40) and a broken escape beside it',
    html: details(row('Email', '<a href="mailto:jane.doe%40example.com">email</a>') + '<a href="mailto:%E0%A4%A">broken</a>'),
    expect: { email: JANE },
  },
  {
    name: 'US number with country code',
    html: details(row('Cell phone', '+1 (202) 555-0143') + row('Email', 'maria.garcia@example.com')),
    expect: { email: 'maria.garcia@example.com', mobile: '+1 (202) 555-0143' },
  },
  {
    name: 'secondary email not labelled as the customer\'s',
    html: details(row('Main email', JANE) + row('Accounts contact email', 'accounts@example.com')),
    expect: { email: JANE },
  },
  {
    name: 'value in a read-only input beside a span label',
    html: details(`<div><span>Email</span><input value="${JANE}" readonly></div>`),
    expect: { email: JANE },
  },
  {
    name: 'name and company rows',
    html: details(row('Customer name', 'Mr Robert Smith') + row('Company', 'Smith Plumbing') + row('Email', 'robert.smith@example.com')),
    expect: { name: 'Mr Robert Smith', company: 'Smith Plumbing', email: 'robert.smith@example.com' },
  },
  {
    name: 'icons instead of labels (needs the agent to point once)',
    html: details(`<div class="contact-line"><i class="fa fa-envelope" title="E-mail us"></i> <span class="value">${JANE}</span></div>`),
    expect: { email: JANE },
    pointAt: { field: 'email', selector: 'span.value' },
  },
  {
    name: 'an unusual label (needs the agent to point once)',
    html: details(row('Correspondence', JANE) + row('Mobile', '07700 900123')),
    expect: { email: JANE, mobile: '07700 900123' },
    pointAt: { field: 'email', selector: '.col-value' },
  },
];

/** The reader's scripts, in the order the manifest loads them. */
export const READER_SCRIPTS = ['extension/hosts/commusoft/profile.js', 'extension/content/record-reader.js'];
