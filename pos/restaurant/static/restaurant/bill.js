import { T, api, el, poll, totalsRows, url } from "./common.js";

const main = document.getElementById("bill");
const $ = (id) => document.getElementById(id);
let order = null;
const assigned = new Map(); // item id → part number (split by items)

function show(error, message = "") {
  $("error").textContent = error ? error.message : "";
  $("message").textContent = message;
}

function partsCount() {
  return Math.max(2, Math.min(20, Number($("parts").value) || 2));
}

function renderItems() {
  const live = order.items.filter((i) => i.state !== "cancelled");
  const byItems = $("mode").value === "items";
  $("bill-items").replaceChildren(...live.map((item) => {
    const select = byItems
      ? el("select", {
          "aria-label": `${T.part} · ${item.name}`, "data-item": item.id,
          onchange: (e) => assigned.set(item.id, Number(e.target.value)),
        }, Array.from({ length: partsCount() }, (_, k) =>
          el("option", { value: k + 1, selected: (assigned.get(item.id) || 1) === k + 1 }, `${T.part} ${k + 1}`)))
      : el("span", { class: "muted" }, item.seat ? `${T.seat} ${item.seat}` : "");
    return el("li", {}, el("span", {}, `${item.quantity} × ${item.name} · $ ${item.amount}`), select);
  }));
  totalsRows(order.totals, $("bill-totals"));
}

function payForm(part) {
  const method = el("select", { "aria-label": T.pay },
    [["01", T.cash], ["16", T.debit], ["19", T.credit], ["20", T.transfer]]
      .map(([value, label]) => el("option", { value }, label)));
  const amount = el("input", { inputmode: "decimal", value: part.total, "aria-label": T.total });
  const customer = el("input", { inputmode: "numeric", placeholder: T.customer, "aria-label": T.customer, maxlength: 13 });
  const pay = async () => {
    try {
      const data = await api(url(main.dataset.pay, part.id), {
        emission_point: Number($("point").value),
        customer: customer.value || null,
        payments: [{ method: method.value, amount: amount.value }],
      });
      set(data);
      show(null, `${data.sale.number} · ${T.change} $ ${data.sale.change}`);
    } catch (error) {
      show(error);
    }
  };
  return el("div", { class: "row" }, method, amount, customer,
    el("button", { class: "primary", onclick: pay, "data-pay": part.number }, T.pay));
}

function renderParts() {
  $("parts-list").replaceChildren(...order.parts.map((part) =>
    el("div", { class: `part${part.paid ? " paid" : ""}`, "data-part": part.number },
      el("h3", {}, el("span", {}, `${T.part} ${part.number}${part.label ? ` · ${part.label}` : ""}`),
        el("span", {}, `$ ${part.total}`)),
      el("div", { class: "muted" }, part.lines.map((line) => {
        const item = order.items.find((i) => i.id === line.item);
        return item ? `${Number(line.quantity)} × ${item.name}` : "";
      }).join(" · ")),
      el("div", { class: "muted" }, `${T.service} $ ${part.service}`),
      part.paid
        ? el("p", {}, el("span", { class: "badge ready" }, T.paid), " ", part.sale, " · ",
            el("a", { href: url(main.dataset.receipt, part.sale_id), target: "_blank" }, T.receipt))
        : payForm(part))));
  if (order.status === "closed") {
    $("parts-list").append(el("p", { class: "ok", id: "closed" }, T.closed, " ",
      el("a", { href: main.dataset.floor }, T.table)));
  }
}

function set(data) {
  order = data;
  $("service").checked = data.service_charge;
  renderItems();
  renderParts();
}

async function split() {
  const mode = $("mode").value;
  const body = { mode, service: $("service").checked, parts: partsCount() };
  if (mode === "items") {
    const groups = Array.from({ length: partsCount() }, () => []);
    for (const item of order.items.filter((i) => i.state !== "cancelled")) {
      groups[(assigned.get(item.id) || 1) - 1].push(item.id);
    }
    body.groups = groups.filter((g) => g.length);
  }
  try {
    set(await api(main.dataset.split, body));
    show(null);
  } catch (error) {
    show(error);
  }
}

$("split").addEventListener("click", split);
$("mode").addEventListener("change", renderItems);
$("parts").addEventListener("change", renderItems);
poll(async () => {
  const data = await api(main.dataset.api);
  if (!order || data.version !== order.version) set(data);
}, 5000);
