// Payment: cash with quick tenders and the change shown big, card/transfer with a
// reference, split over several methods; one idempotency key per cart; a sale the
// network lost waits as "pendiente" and is retried with the same key.
import {api, errorText} from "./api.js";
import {authorizeDiscounts, cart, estimateTotal, overFinalLimit, quoteSettled, quoteState,
  saleBody, setPin} from "./cart.js";
import {cents, config, money, t} from "./i18n.js";
import {newCart, save, state} from "./store.js";
import {till} from "./till.js";
import {$, askPin, button, el, modal, toast} from "./ui.js";

const METHODS = ["01", "16", "19", "20"];
let paying = false;
const pendingPins = {};  // memory only

export function printReceipt(url) {
  const frame = $("print-frame");
  frame.onload = () => {
    if (frame.src === "about:blank") return;
    const back = document.activeElement;
    try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (error) { /* blocked */ }
    // Give the keyboard back to the counter: the scanner, Esc and the F-keys
    // would otherwise go to the receipt's frame.
    if (back && back !== frame && back !== document.body && back.isConnected) back.focus({preventScroll: true});
    else frame.blur();
  };
  frame.src = url;
}

export function reprintLast() {
  if (!state.last) { toast(t("noReceipt"), "err"); return; }
  printReceipt(state.last.receipt_html_url);
}

function finished(sale) {
  state.last = {id: sale.id, number: sale.number, receipt_html_url: sale.receipt_html_url};
  save();
  printReceipt(sale.receipt_html_url);
}

function renderPending() {
  const badge = $("pending-badge");
  badge.hidden = !state.pending.length;
  badge.textContent = t("pendingCount", {n: state.pending.length});
}

// Retry every sale waiting for the network, each with its own key: one sale each.
let syncing = false;
export async function syncPending() {
  if (syncing || !state.pending.length) { renderPending(); return; }
  syncing = true;
  try {
    for (const entry of [...state.pending]) {
      const pin = pendingPins[entry.body.idempotency_key];
      const r = await api("/pos/api/sales", pin ? {...entry.body, approval_pin: pin} : entry.body);
      if (r.offline) break;
      state.pending = state.pending.filter((p) => p.body.idempotency_key !== entry.body.idempotency_key);
      if (r.ok) {
        toast(t("synced", {number: r.data.number}), "ok", 6000);
        finished(r.data);
      } else {
        // Refused (stock, closed till…): the cart comes back as a parked cart, with the reason.
        state.parked.push({...entry.cart, key: null, error: errorText(r)});
        toast(errorText(r), "err", 8000);
      }
      save();
    }
  } finally {
    syncing = false;
    renderPending();
  }
}

async function submit(payments, dialogClose, errorNode) {
  if (paying) return;
  paying = true;
  const c = cart();
  try {
    c.key = c.key || crypto.randomUUID();
    save();
    const body = {idempotency_key: c.key, emission_point: Number($("point").value),
                  customer: c.customer ? {id: c.customer.id} : null, payments, ...saleBody(c)};
    let r = await api("/pos/api/sales", body);
    while (r.data?.error === "discount_not_allowed") {
      const pin = await askPin(r.data.detail);
      if (!pin) break;
      setPin(pin);
      body.approval_pin = pin;
      r = await api("/pos/api/sales", body);
    }
    if (r.offline) {
      const {approval_pin: pin, ...stored} = body;  // no PIN in the browser's storage
      if (pin) pendingPins[stored.idempotency_key] = pin;
      state.pending.push({body: stored, cart: c, at: new Date().toISOString()});
      state.current = newCart();
      save();
      dialogClose("pending");
      toast(t("pending"), "err", 8000);
      renderPending();
      return;
    }
    if (!r.ok) { errorNode.textContent = errorText(r); return; }
    state.current = newCart();
    save();
    dialogClose("done");
    toast(t("saleDone", {number: r.data.number, change: r.data.change}), "ok", 8000);
    finished(r.data);
  } finally {
    paying = false;
  }
}

function payDialog(total) {
  return modal(t("payTitle"), (dialog, close) => {
    const payments = [];
    let method = "01";
    const totalC = cents(total);
    const amount = el("input", {id: "pay-amount", inputmode: "decimal", autofocus: true,
                                "aria-label": t("amountLabel")});
    const reference = el("input", {id: "pay-reference", maxlength: 120, "aria-label": t("reference"),
                                   placeholder: t("reference")});
    const list = el("ul", {class: "paylist", id: "pay-list"});
    const paid = el("b", {id: "pay-paid"});
    const remaining = el("b", {id: "pay-remaining"});
    const change = el("div", {class: "big change", id: "pay-change"});
    const error = el("p", {class: "error", id: "pay-error"});
    const sum = () => payments.reduce((a, p) => a + cents(p.amount), 0);
    const methods = el("div", {class: "methods"});
    const paint = () => {
      for (const b of methods.children) b.classList.toggle("on", b.dataset.method === method);
      reference.hidden = method === "01";
      list.replaceChildren(...payments.map((p, i) => el("li", {},
        el("span", {text: `${t(`method${p.method}`)}${p.reference ? ` · ${p.reference}` : ""}`}),
        el("strong", {text: p.amount}),
        button("✕", () => { payments.splice(i, 1); paint(); }, {"aria-label": t("remove")}))));
      const s = sum();
      paid.textContent = money(s);
      remaining.textContent = money(Math.max(totalC - s, 0));
      change.textContent = `${t("change")}: ${money(Math.max(s - totalC, 0))}`;
      confirm.disabled = s < totalC;
      amount.value = "";
      amount.placeholder = money(Math.max(totalC - s, 0));
    };
    const add = (m, value) => {
      const c = cents(value);
      if (c === null || c <= 0) { error.textContent = t("invalidAmount"); return false; }
      error.textContent = "";
      payments.push({method: m, amount: money(c), ...(m !== "01" && reference.value.trim()
        ? {reference: reference.value.trim()} : {})});
      reference.value = "";
      paint();
      return true;
    };
    for (const m of METHODS) {
      methods.append(button(t(`method${m}`), () => { method = m; paint(); amount.focus(); },
                            {dataset: {method: m}}));
    }
    const remainingC = () => Math.max(totalC - sum(), 0);
    const tenders = el("div", {class: "tenders"},
      ["5", "10", "20"].map((v) => button(`$${v}`, () => add("01", v), {dataset: {tender: v}})),
      button(t("exact"), () => add(method, money(remainingC())), {id: "pay-exact"}));
    const go = () => {
      if (!payments.length) add(method, amount.value.trim() || money(totalC));
      else if (amount.value.trim()) add(method, amount.value.trim());
      if (sum() >= totalC) submit(payments, close, error);
    };
    const confirm = button(`${t("payTitle")} `, go, {class: "primary", id: "pay-confirm"});
    confirm.append(el("kbd", {text: "F12"}));
    amount.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      if (amount.value.trim()) add(method, amount.value.trim()); else go();
    });
    dialog.addEventListener("keydown", (e) => { if (e.key === "F12") { e.preventDefault(); go(); } });
    dialog.append(
      el("div", {class: "big", id: "pay-total", text: `${t("total")} $${total}`}),
      methods, el("div", {class: "row"}, amount, reference,
                  button(t("addPayment"), () => add(method, amount.value.trim() || money(remainingC())), {id: "pay-add"})),
      tenders, list,
      el("div", {class: "sums"}, el("span", {}, t("paid"), paid), el("span", {}, t("remaining"), remaining),
         el("span", {}, t("total"), el("b", {text: total}))),
      change, error,
      el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)), confirm));
    paint();
  }, {id: "pay-dialog"});
}

export async function startPayment(openCustomer) {
  if (!cart().lines.length) { toast(t("empty"), "err"); return; }
  if (!till.session) { toast(t("needTill"), "err"); return; }
  await quoteSettled();  // the line just added is still being priced
  if (!(await authorizeDiscounts())) return;
  if (quoteState.error?.offline) {
    toast(t("network"), "err");
    await payDialog(estimateTotal());  // the sale waits as "pendiente" if still offline
    return;
  }
  if (!quoteState.total) { toast(quoteState.error ? errorText(quoteState.error) : t("empty"), "err"); return; }
  if (overFinalLimit()) {
    toast(t("finalLimit", {limit: config.finalConsumerLimit}), "err");
    openCustomer();
    return;
  }
  await payDialog(quoteState.total);
}

export function initPayments() {
  window.addEventListener("online", syncPending);
  setInterval(syncPending, 5000);
  renderPending();
  syncPending();
}
