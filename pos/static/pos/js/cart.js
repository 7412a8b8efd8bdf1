// The cart: lines, the line editor (quantity keypad, note, discount), modifiers,
// the order discount, totals with the IVA breakdown (from /pos/api/sales/quote).
import {api, errorText} from "./api.js";
import {cents, config, milli, money, qtyText, t} from "./i18n.js";
import {state, save} from "./store.js";
import {$, askPin, button, el, keypad, modal, toast} from "./ui.js";

export const quoteState = {total: null, data: null, error: null, seq: 0};
const pins = {};  // supervisor PINs typed for a cart, by cart id: memory only, never stored

export const cart = () => state.current;
export const approvalPin = () => pins[cart().id] || "";

export function isWeighed(p) {
  return Boolean(p.weighed) || p.unit === "kg";
}

function lineFor(product, qty, mods = []) {
  const names = mods.map((m) => m.name);
  return {uid: crypto.randomUUID(), product: product.id, name: product.name,
          price: product.price_gross ?? product.price, unit: product.unit || "u",
          weighed: isWeighed(product), qty, note: "", disc: null,
          mods: mods.map((m) => m.id), modNames: names};
}

export function changed() {
  cart().key = null;  // a different cart is a different sale: new idempotency key
  save();
  refresh();
}

export async function addProduct(product, {quantity = null} = {}) {
  let qty = quantity;
  let mods = [];
  if (product.modifier_groups?.some((g) => g.options.length)) {
    mods = await pickModifiers(product);
    if (mods === null) return false;
  }
  if (qty === null && isWeighed(product)) {
    qty = await keypad(`${product.name} · ${t("weight")}`, "", {decimals: 3});
    if (qty === null) return false;
  }
  qty = qtyText(milli(qty ?? "1"));
  const same = !isWeighed(product) && cart().lines.find(
    (l) => l.product === product.id && !l.note && !l.disc && l.mods.join() === mods.map((m) => m.id).join());
  if (same) same.qty = qtyText(milli(same.qty) + milli(qty));
  else cart().lines.push(lineFor(product, qty, mods));
  changed();
  return true;
}

// Modifier groups: each group's min/max enforced before the line is added.
export function pickModifiers(product) {
  return modal(`${product.name} · ${t("modifiersTitle")}`, (dialog, close) => {
    const chosen = product.modifier_groups.map(() => new Set());
    const accept = button(t("accept"), () => {
      const mods = [];
      product.modifier_groups.forEach((g, i) =>
        g.options.filter((o) => chosen[i].has(o.id)).forEach((o) => mods.push(o)));
      close(mods);
    }, {class: "primary-sm", id: "mods-accept"});
    const check = () => {
      accept.disabled = product.modifier_groups.some((g, i) => chosen[i].size < g.min);
    };
    product.modifier_groups.forEach((g, i) => {
      const hint = g.min && g.min === g.max ? t("modExact", {n: g.min})
        : g.min && g.max ? t("modRange", {min: g.min, max: g.max})
        : g.min ? t("modMin", {n: g.min}) : t("modMax", {n: g.max});
      const opts = el("div", {class: "opts"});
      for (const o of g.options) {
        const delta = cents(o.price_delta);
        const b = button(delta ? `${o.name} (+${money(delta)})` : o.name, () => {
          const set = chosen[i];
          if (set.has(o.id)) set.delete(o.id);
          else {
            if (g.max === 1) set.clear();
            else if (g.max && set.size >= g.max) return toast(t("modMax", {n: g.max}), "err");
            set.add(o.id);
          }
          for (const node of opts.children) node.classList.toggle("on", set.has(Number(node.dataset.id)));
          check();
        }, {dataset: {id: o.id}, "aria-pressed": "false"});
        opts.append(b);
      }
      dialog.append(el("fieldset", {class: "group"}, el("legend", {text: `${g.name} · ${hint}`}), opts));
    });
    check();
    dialog.append(el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)), accept));
  });
}

function discountFields(current) {
  let kind = current?.kind || "%";
  const input = el("input", {inputmode: "decimal", value: current?.value || "", id: "discount-value",
                             "aria-label": t("discount")});
  const seg = el("div", {class: "row seg"});
  const paint = () => { for (const b of seg.children) b.classList.toggle("on", b.dataset.kind === kind); };
  for (const k of ["%", "$"]) {
    seg.append(button(k === "%" ? t("percent") : t("amount"), () => { kind = k; paint(); },
                      {dataset: {kind: k}}));
  }
  paint();
  const read = () => {
    const v = input.value.trim().replace(",", ".");
    if (!v || cents(v) === 0) return {value: null};
    if (cents(v) === null || cents(v) < 0 || (kind === "%" && cents(v) > 10000)) return {error: true};
    return {value: {kind, value: v}};
  };
  return {nodes: [el("label", {text: t("discount")}), seg, input], read};
}

export function editLine(index) {
  const line = cart().lines[index];
  return modal(line.name, (dialog, close) => {
    const unit = line.weighed ? ` ${t("kg")}` : "";
    let newQty = line.qty;
    const qty = el("button", {type: "button", class: "display", id: "line-qty", text: `${line.qty}${unit}`});
    const setQty = (v) => { newQty = v; qty.textContent = `${v}${unit}`; };
    qty.addEventListener("click", async () => {
      const v = await keypad(line.weighed ? t("weight") : t("quantity"), "", {decimals: 3});
      if (v) setQty(qtyText(milli(v)));
    });
    const step = (d) => {
      const m = milli(newQty) + d * 1000;
      if (m > 0) setQty(qtyText(m));
    };
    const qtyRow = el("div", {class: "row"}, button("−", () => step(-1), {"aria-label": "-1", id: "qty-minus"}),
                      qty, button("+", () => step(1), {"aria-label": "+1", id: "qty-plus"}));
    const note = el("input", {id: "line-note", maxlength: 300, value: line.note, "aria-label": t("note")});
    const disc = discountFields(line.disc);
    const error = el("p", {class: "error"});
    dialog.append(el("label", {text: line.weighed ? t("weight") : t("quantity")}), qtyRow,
      el("label", {text: t("note"), for: "line-note"}), note, ...disc.nodes, error,
      el("div", {class: "dlg-actions"},
        button(t("remove"), () => { cart().lines.splice(index, 1); close(true); changed(); }, {class: "danger"}),
        button(t("cancel"), () => close(null)),
        button(t("accept"), async () => {
          const d = disc.read();
          if (d.error) { error.textContent = t("invalidAmount"); return; }
          Object.assign(line, {qty: newQty, note: note.value.trim(), disc: d.value});
          close(true);
          changed();
          if (d.value) await authorizeDiscounts();
        }, {id: "line-accept"})));
  });
}

export function editOrderDiscount() {
  return modal(t("orderDiscount"), (dialog, close) => {
    const disc = discountFields(cart().discount);
    const error = el("p", {class: "error"});
    dialog.append(...disc.nodes, error, el("div", {class: "dlg-actions"},
      button(t("cancel"), () => close(null)),
      button(t("accept"), async () => {
        const d = disc.read();
        if (d.error) { error.textContent = t("invalidAmount"); return; }
        cart().discount = d.value;
        close(true);
        changed();
        if (d.value) await authorizeDiscounts();
      }, {id: "order-discount-accept"})));
  });
}

function discountOf(disc, prefix = "") {
  if (!disc) return {};
  return disc.kind === "%" ? {[`${prefix}discount_percent`]: disc.value} : {[`${prefix}discount`]: disc.value};
}

export function apiLines(c = cart()) {
  return c.lines.map((l) => ({product: l.product, quantity: l.qty, modifiers: l.mods,
                              ...(l.note ? {note: l.note} : {}), ...discountOf(l.disc)}));
}

export function saleBody(c = cart()) {
  const body = {lines: apiLines(c), ...discountOf(c.discount)};
  if (pins[c.id]) body.approval_pin = pins[c.id];
  return body;
}

// The quote in flight, so "Cobrar" tapped right after adding a product waits
// for it instead of finding no total.
let inFlight = null;

export function quoteSettled() {
  if (timer !== null) {  // a change not yet sent to be priced: price it now
    clearTimeout(timer);
    timer = null;
    return quote();
  }
  return inFlight ?? Promise.resolve();
}

export function quote() {
  inFlight = askQuote();
  return inFlight;
}

async function askQuote() {
  const c = cart();
  if (!c.lines.length) {
    Object.assign(quoteState, {total: null, data: null, error: null});
    renderTotals();
    return null;
  }
  const asked = ++quoteState.seq;
  const r = await api("/pos/api/sales/quote", saleBody(c));
  if (c !== cart() || asked !== quoteState.seq) return r;  // a newer cart or quote is on its way
  quoteState.data = r.ok ? r.data : null;
  quoteState.total = r.ok ? r.data.total : null;
  quoteState.error = r.ok ? null : r;
  renderTotals();
  return r;
}

// Above the cashier's limit the quote says approval_needed: a manager's PIN before
// "Cobrar" (checked by the sale; a wrong one answers discount_not_allowed there).
export async function authorizeDiscounts() {
  const r = await quote();
  if (!r?.data?.approval_needed || pins[cart().id]) return true;
  const pin = await askPin(t("discountAbove"));
  if (!pin) { toast(t("discountAbove"), "err"); return false; }
  pins[cart().id] = pin;
  return true;
}

// Without network the quote cannot be asked: the total from the tiles' prices with
// IVA (the server recomputes it when the sale is sent; cash may exceed it).
export function estimateTotal(c = cart()) {
  const off = (amount, disc) => !disc ? 0 : disc.kind === "%"
    ? Math.round((amount * cents(disc.value)) / 10000) : Math.min(cents(disc.value), amount);
  let total = 0;
  for (const l of c.lines) {
    const gross = Math.round((cents(l.price) * milli(l.qty)) / 1000);
    total += gross - off(gross, l.disc);
  }
  return money(total - off(total, c.discount));
}

export function setPin(pin) { pins[cart().id] = pin; }

function lineTotal(line, index) {
  const q = quoteState.data?.lines?.[index];
  if (q) return q.total;
  return money(Math.round((cents(line.price) * milli(line.qty)) / 1000));
}

export function renderLines() {
  const list = $("lines");
  list.replaceChildren();
  cart().lines.forEach((line, i) => {
    const unit = line.weighed ? t("kg") : "";
    const sub = [`${line.qty} ${unit} × ${money(cents(line.price))}`];
    if (line.modNames.length) sub.push(line.modNames.join(", "));
    if (line.disc) sub.push(`${t("discount")} ${line.disc.kind === "%" ? `${line.disc.value} %` : `$${line.disc.value}`}`);
    list.append(el("li", {class: "line", tabindex: 0, role: "button", dataset: {index: i},
                          onclick: () => editLine(i),
                          onkeydown: (e) => e.key === "Enter" && editLine(i)},
      el("span", {class: "ln", text: line.name}),
      el("span", {class: "lt", text: lineTotal(line, i)}),
      el("span", {class: "sub", text: sub.join(" · ")}),
      line.note ? el("span", {class: "sub note", text: line.note}) : null));
  });
  $("empty").hidden = cart().lines.length > 0;
}

export function renderTotals() {
  const table = $("totals");
  table.replaceChildren();
  const q = quoteState.data;
  const rows = [];
  if (q) {
    rows.push([t("subtotal"), q.subtotal]);
    for (const tax of q.taxes) rows.push([t("subtotalTax", {rate: tax.rate}), tax.base]);
    if (cents(q.discount)) rows.push([t("discount"), `-${q.discount}`]);
    for (const tax of q.taxes) rows.push([t("tax", {rate: tax.rate}), tax.tax]);
    if (cents(q.service_charge)) rows.push([t("service"), q.service_charge]);
  }
  for (const [label, value] of rows) table.append(el("tr", {}, el("td", {text: label}), el("td", {text: value})));
  table.append(el("tr", {class: "grand"}, el("td", {text: t("total")}),
                  el("td", {id: "grand-total", text: q ? q.total : "0.00"})));
  if (quoteState.error) table.append(el("tr", {}, el("td", {colspan: 2, class: "error", text: errorText(quoteState.error)})));
  renderLines();
  renderLimit();
}

export function overFinalLimit() {
  const q = quoteState.data;
  return Boolean(q && !cart().customer && cents(q.total) > cents(config.finalConsumerLimit));
}

function renderLimit() {
  const warn = $("limit-warning");
  warn.hidden = !overFinalLimit();
  warn.textContent = t("finalLimit", {limit: config.finalConsumerLimit});
  $("customer-name").textContent = cart().customer?.name || t("finalConsumer");
}

let timer = null;
export function refresh() {
  renderLines();
  renderLimit();
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; quote(); }, 60);
}
