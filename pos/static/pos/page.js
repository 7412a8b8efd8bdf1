// The POS page's script (issue 10: a static file, so the page's
// Content-Security-Policy can refuse every inline script).
"use strict";
const $ = (id) => document.getElementById(id);
const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];
// Translated strings come from the page (data-* attributes of #pos-strings).
const T = {...$("pos-strings").dataset};
const METHODS = {"01": T.cash, "16": T.debit, "19": T.credit, "20": T.transfer};
let cart = [];        // {id, name, qty}
let customer = null;  // {id, name}
let saleKey = null;   // one idempotency key per cart, reused on retries

async function api(url, body) {
  const options = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
  };
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({}));
  return {ok: response.ok, status: response.status, data};
}

async function loadSession() {
  const {ok, data} = await api(`/pos/api/cash-sessions?emission_point=${$("point").value}`);
  const el = $("session");
  el.textContent = "";
  if (ok) {
    const report = document.createElement("a");
    report.href = data.report_url; report.target = "_blank"; report.textContent = T.xReport;
    const close = document.createElement("button");
    close.textContent = T.close;
    close.onclick = () => closeSession(data);
    el.append(T.opened + " · ", report, " ", close);
    return;
  }
  const button = document.createElement("button");
  button.textContent = T.open;
  button.onclick = async () => {
    const amount = prompt(T.float, "0.00");
    if (amount === null) return;
    const r = await api("/pos/api/cash-sessions",
                        {emission_point: $("point").value, opening_float: amount});
    if (!r.ok) { $("error").textContent = r.data.detail; }
    loadSession();
  };
  el.append(T.closed + " ", button);
}

async function closeSession(session) {
  const counted = {};
  for (const [method, expected] of Object.entries(session.expected)) {
    const value = prompt(`${T.counted} ${METHODS[method] || method} (${T.expected} ${expected})`,
                         expected);
    if (value === null) return;
    counted[method] = value;
  }
  const r = await api(`/pos/api/cash-sessions/${session.id}/close`, {counted});
  if (!r.ok) { $("error").textContent = r.data.detail; return; }
  $("result").textContent = `${T.difference}: ${r.data.difference}`;
  window.open(r.data.report_url, "_blank");
  loadSession();
}

async function loadProducts() {
  const q = encodeURIComponent($("search").value.trim());
  const {data} = await api(`/pos/api/products?q=${q}`);
  const grid = $("products");
  grid.replaceChildren();
  for (const p of data.results || []) {
    const b = document.createElement("button");
    b.innerHTML = `<strong></strong><br><span class="muted"></span>`;
    b.querySelector("strong").textContent = p.name;
    b.querySelector("span").textContent = p.code;
    b.onclick = () => add(p);
    grid.append(b);
  }
}

function add(p) {
  const line = cart.find((l) => l.id === p.id);
  if (line) line.qty += 1; else cart.push({id: p.id, name: p.name, qty: 1});
  changed();
}

function changed() { saleKey = null; render(); quote(); }

function render() {
  const table = $("cart");
  table.replaceChildren();
  cart.forEach((l, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = l.name;
    const qty = tr.insertCell();
    qty.className = "r";
    for (const [label, delta] of [["−", -1], ["+", 1]]) {
      const b = document.createElement("button");
      b.textContent = label;
      b.onclick = () => { l.qty += delta; if (l.qty <= 0) cart.splice(i, 1); changed(); };
      qty.append(b);
    }
    qty.append(" " + l.qty);
  });
}

function lines() { return cart.map((l) => ({product: l.id, quantity: String(l.qty)})); }

async function quote() {
  const totals = $("totals");
  totals.replaceChildren();
  if (!cart.length) return;
  const {ok, data} = await api("/pos/api/sales/quote", {lines: lines()});
  if (!ok) { $("error").textContent = data.detail || ""; return; }
  const rows = [[T.sub, data.subtotal], [T.tax, data.tax]];
  if (data.service_charge !== "0.00") rows.push([T.service, data.service_charge]);
  rows.push([T.total, data.total]);
  for (const [label, value] of rows) {
    const tr = totals.insertRow();
    tr.insertCell().textContent = label;
    const td = tr.insertCell(); td.className = "r"; td.textContent = value;
  }
  $("amount").placeholder = data.total;
}

async function findCustomer() {
  const q = $("customer").value.trim();
  customer = null;
  $("customer-name").textContent = T.finalConsumer;
  if (!q) return;
  const {data} = await api("/pos/api/customers", {q});  // POST: no cédula in URLs
  const hit = (data.results || []).find((c) => c.identification === q);
  if (hit) { customer = hit; $("customer-name").textContent = hit.name; }
  else { $("customer-name").textContent = T.notFound; }
}

async function pay() {
  $("error").textContent = ""; $("result").textContent = "";
  if (!cart.length) { $("error").textContent = T.empty; return; }
  saleKey = saleKey || crypto.randomUUID();
  const amount = $("amount").value.trim() || $("amount").placeholder;
  const r = await api("/pos/api/sales", {
    idempotency_key: saleKey, emission_point: $("point").value,
    customer: customer ? {id: customer.id} : null, lines: lines(),
    payments: [{method: $("method").value, amount}],
  });
  if (!r.ok) { $("error").textContent = r.data.detail || r.status; return; }
  const sale = r.data;
  $("result").innerHTML = "";
  $("result").append(`${sale.number} · ${T.total} ${sale.total} · ${T.change} ${sale.change} · `);
  const link = document.createElement("a");
  link.href = sale.receipt_html_url; link.target = "_blank"; link.textContent = T.receipt;
  $("result").append(link);
  window.open(sale.receipt_html_url, "_blank");
  cart = []; customer = null; saleKey = null;
  $("customer").value = ""; $("amount").value = "";
  $("customer-name").textContent = T.finalConsumer;
  render(); quote();
}

if ($("pay")) {
  $("search").addEventListener("input", () => { clearTimeout(window._t);
    window._t = setTimeout(loadProducts, 200); });
  $("customer").addEventListener("change", findCustomer);
  $("point").addEventListener("change", loadSession);
  $("pay").addEventListener("click", pay);
  loadSession(); loadProducts();
}
