// The till's state in localStorage, scoped by business and user: the current cart,
// parked carts, sales waiting for the network, and the last sale (for reprint).
import {config} from "./i18n.js";

const KEY = `southernpos:pos:${config.business}:${config.user}`;
const listeners = [];

export function newCart() {
  return {id: crypto.randomUUID(), lines: [], customer: null, discount: null, key: null,
          created: new Date().toISOString()};
}

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "null");
    if (saved && saved.current) return {parked: [], pending: [], last: null, ...saved};
  } catch (error) { /* a damaged entry: start clean rather than not at all */ }
  return {current: newCart(), parked: [], pending: [], last: null};
}

export const state = load();

export function save() {
  localStorage.setItem(KEY, JSON.stringify(state));
  for (const fn of listeners) fn();
}

export function onChange(fn) { listeners.push(fn); }

// Another tab or a reload from the back office: take the stored state as it is now.
export function reload() {
  Object.assign(state, load());
  for (const fn of listeners) fn();
}
