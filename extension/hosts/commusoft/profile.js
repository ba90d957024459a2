// @ts-check
// Everything specific to Commusoft's pages, in one place: which routes are customer records, and how the
// Customer Details panel labels what we read. Real pages will differ from any replica — when they do, this
// is the one file to change (see ../shared/docs/commusoft.md, "What we do not know").
'use strict';

// Registered by app id; the content script's boot (content/main.js) picks the profile of the page's host.
((globalThis.ghlBridge ??= {}).hostProfiles ??= {}).commusoft = Object.freeze({
  app: 'commusoft',
  hostnames: ['app.commusoft.co.uk', 'app.commusoft.us'],
  // The record kind every record of this app is (the core's spec: src/hosts/commusoft.rs).
  kind: 'customer',
  // What the agent calls one, for the words shown before the core has answered.
  noun: 'customer',

  // Customer, work-address and company records, old `view` and `view_v2` layouts, any tab below them.
  recordRoute: /^\/customers\/(?:customer|customer_list)\/(\d+)\/view(?:_v2)?\//,

  // The element holding the routed view (commusoft.md §5: `#main`); read as a whole when no details heading is found.
  container: ['#main', '[role="main"]', 'main'],

  // Headings of the panel that shows who the customer is. Matched on the element's whole text.
  detailsHeadings: ['Customer Details', 'Customer details', 'Contact details', 'Work address details'],

  // Labels shown next to each value, compared case-insensitively without a trailing colon.
  fieldLabels: Object.freeze({
    name: ['Name', 'Customer name', 'Full name', 'Contact name'],
    email: ['Email', 'E-mail', 'Email address', 'E-mail address', 'Main email', 'Primary email'],
    mobile: ['Mobile', 'Mobile number', 'Mobile no', 'Cell', 'Cell phone'],
    landline: ['Landline', 'Telephone', 'Phone', 'Home phone', 'Work phone', 'Landline number', 'Tel', 'Telephone number', 'Phone number'],
    accountNumber: ['Account no', 'Account number', 'Account no.', 'Account #'],
    address: ['Address', 'Billing address', 'Property address', 'Customer address', 'Invoice address'],
    company: ['Company', 'Company name'],
  }),

  // The Notes & communications tab's list of Commusoft notes, where each note gets a "Send to GHL" control.
  // The real markup is not known yet (commusoft.md §10): one container, one element per note carrying a stable id.
  notes: Object.freeze({
    list: '.notes-communications',
    item: '[data-note-id]',
    idAttribute: 'data-note-id',
    text: '.note-text',
  }),

  // Commusoft's edit-customer form (v2), present only while it is open: where "Sync this contact" puts GHL's
  // values for the agent to review and save. Each field lists selectors, tried in order, inside the form.
  editForm: Object.freeze({
    // An element that exists only in the edit-customer form; its form is where fields are looked up.
    marker: '[name="customerDetails.surname"], [formcontrolname="surname"]',
    fields: Object.freeze({
      firstName: ['#name', '[formcontrolname="name"]'],
      lastName: ['[name="customerDetails.surname"]', '[formcontrolname="surname"]'],
      email: ['[name="customerEmail"]', '[formcontrolname="email"]'],
      mobile: ['[name="customerMobileNumber"]', '[formcontrolname="mobile"]'],
      landline: ['[name="customerLandlineNumber"]', '[formcontrolname="landline"]'],
      address1: ['[name="addressline1"]', '[formcontrolname="addressline1"]'],
      town: ['[name="town"]', '[formcontrolname="town"]'],
      postcode: ['[name="postcode"]'],
      company: ['[name="customerDetails.companyname"]'],
    }),
  }),

  // How long to wait for the record's details to render after a route change (the app renders slowly).
  readTimeoutMs: 15000,
});
