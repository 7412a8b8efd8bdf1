// Small DOM helpers: elements, dialogs, the keypad, toasts, the PIN prompt.
import {t} from "./i18n.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function button(label, onclick, attrs = {}) {
  return el("button", {type: "button", onclick, ...attrs}, label);
}

export function toast(message, kind = "", ms = 4000) {
  const node = el("div", {class: `toast ${kind}`, text: message});
  $("toasts").append(node);
  setTimeout(() => node.remove(), ms);
  return node;
}

// A modal dialog: build(dialog, close) fills it; resolves with close(value).
export function modal(title, build, {id} = {}) {
  return new Promise((resolve) => {
    const dialog = el("dialog", {id, "aria-label": title}, el("h2", {text: title}));
    let done = false;
    const close = (value) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(null); });
    build(dialog, close);
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("[autofocus]")?.focus();
  });
}

export function anyDialogOpen() {
  return document.querySelector("dialog[open]") !== null;
}

// A numeric keypad; resolves with the typed string or null.
export function keypad(title, initial = "", {decimals = 3} = {}) {
  return modal(title, (dialog, close) => {
    const display = el("input", {class: "display", inputmode: "decimal", autofocus: true,
                                 "aria-label": title, value: initial});
    const error = el("p", {class: "error"});
    const valid = () => {
      const v = display.value.trim().replace(",", ".");
      const re = new RegExp(`^\\d+(\\.\\d{0,${decimals}})?$`);
      return re.test(v) && Number(v) > 0 ? v : null;
    };
    const press = (k) => {
      if (k === "⌫") display.value = display.value.slice(0, -1);
      else if (k === "C") display.value = "";
      else display.value += k;
    };
    const accept = () => {
      const v = valid();
      if (v === null) { error.textContent = t("invalidQuantity"); return; }
      close(v);
    };
    display.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); accept(); } });
    const keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", decimals ? "." : "C", "0", "⌫"];
    dialog.append(display, error,
      el("div", {class: "keypad"}, keys.map((k) => button(k, () => { press(k); display.focus(); }))),
      el("div", {class: "dlg-actions"},
        button(t("cancel"), () => close(null)),
        button(t("accept"), accept, {class: "primary-sm"})));
  });
}

// A supervisor's PIN (discounts above the cashier's limit, voids, returns).
export function askPin(message = "") {
  return modal(t("pinTitle"), (dialog, close) => {
    const input = el("input", {type: "password", inputmode: "numeric", autocomplete: "off",
                               id: "pin-input", autofocus: true, "aria-label": t("pinLabel")});
    const form = el("form", {onsubmit: (e) => { e.preventDefault(); close(input.value.trim() || null); }},
      el("p", {class: "muted", text: t("pinHelp")}),
      message ? el("p", {class: "warn", text: message}) : null,
      el("label", {text: t("pinLabel")}), input,
      el("div", {class: "dlg-actions"},
        button(t("cancel"), () => close(null)),
        el("button", {type: "submit", text: t("accept")})));
    dialog.append(form);
  });
}
