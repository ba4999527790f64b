// How often the tabs ping the hub, in milliseconds: a tab silent for three times this (one that
// crashed, as a browser does not tell a SharedWorker that a page went away) leaves the others' lists.
// Tabs and hub must agree on it, since the hub judges by it when the tabs' pings are due.
export const KEEP_ALIVE_MS = 1000;
