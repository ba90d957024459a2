// @ts-check
// Everything specific to commonsku's pages, in one place. commonsku is a React app with generated class names, so
// nothing here names a class: records are found by the UUID in the URL and by what the page shows (headings,
// labels, a list of people), never by one route pattern (../shared/docs/commonsku.md, "What we do not know").
'use strict';

((globalThis.ghlBridge ??= {}).hostProfiles ??= {}).commonsku = Object.freeze({
  app: 'commonsku',
  // Every distributor has its own subdomain; the manifest leaves out help., files., social. and www.
  hostnames: ['*.commonsku.com'],
  noun: 'record',

  // A record page's URL carries a UUID: in the path (`/client/{uuid}`) or as `?id=` (`client.php?id={uuid}`).
  recordId(/** @type {Location} */ where) {
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    return new URLSearchParams(where.search).get('id')?.match(uuid)?.[0] ?? where.pathname.match(uuid)?.[0] ?? null;
  },

  // Which kind of record the page shows, from what it shows: one person's details (a contact), or a list of
  // people (a client). A UUID page showing neither (a presentation, a shop) gets no panel.
  kindOf(/** @type {Document} */ document) {
    const { findHeading, collectPeople } = globalThis.ghlBridge;
    const profile = globalThis.ghlBridge.hostProfiles.commonsku;
    if (findHeading(document, profile.detailsHeadings)) return 'contact';
    // A list of people, at least one with an email or phone: a menu entry named "Contacts" is not one.
    const people = collectPeople(document, profile);
    if (people.some((person) => person.evidence.some((found) => ['email', 'mobile', 'phone'].includes(found.field)))) return 'client';
    return null;
  },

  container: ['main', '[role="main"]', '#root', 'body'],

  // Headings of one person's details (a contact page).
  detailsHeadings: ['Contact Info', 'Contact Information', 'Contact Details', 'Contact details', 'Contact info', 'Profile'],

  // A client page's people: the list under one of these headings, a row per person.
  people: Object.freeze({ kind: 'contact', listKind: 'client', headings: ['Contacts', 'Client Contacts', 'People'] }),

  fieldLabels: Object.freeze({
    name: ['Name', 'Full Name', 'Contact Name', 'Contact'],
    firstName: ['First Name', 'First name'],
    lastName: ['Last Name', 'Last name', 'Surname'],
    email: ['Email', 'E-mail', 'Email Address', 'Email address'],
    mobile: ['Phone', 'Phone Number', 'Phone number', 'Mobile', 'Cell', 'Cell Phone', 'Work Phone', 'Direct Phone', 'Office Phone'],
    position: ['Position', 'Title', 'Job Title', 'Role'],
    company: ['Client', 'Company', 'Client Name'],
  }),

  // commonsku's add- and edit-contact forms: a dialog named after what it does. Fields are found by their labels
  // (React-controlled inputs: the filler types into them the way a person would).
  editForm: Object.freeze({
    marker: '[role="dialog"][aria-label*="Contact" i], [role="dialog"][aria-labelledby]',
    named: ['Add Contact', 'Edit Contact', 'New Contact', 'Create Contact'],
    fields: Object.freeze({
      firstName: [{ label: ['First Name', 'First name'] }],
      lastName: [{ label: ['Last Name', 'Last name'] }],
      email: [{ label: ['Email', 'E-mail', 'Email Address'] }, 'input[type="email"]'],
      phone: [{ label: ['Phone', 'Phone Number', 'Mobile', 'Cell'] }, 'input[type="tel"]'],
      position: [{ label: ['Position', 'Title', 'Job Title'] }],
    }),
  }),

  // The app renders seconds after load.
  readTimeoutMs: 15000,
});
