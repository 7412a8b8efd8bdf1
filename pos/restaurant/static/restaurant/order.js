import { ApiError, T, api, el, poll, totalsRows, url } from "./common.js";

const main = document.getElementById("order");
const $ = (id) => document.getElementById(id);
let order = null;
let products = [];
let category = null;
let current = null; // product in the item dialog
let cancelling = null; // item in the cancel dialog
const marked = new Set(); // items marked to pass to another table

const orderUrl = (suffix = "") => `${url(main.dataset.base, order.id)}${suffix}`;

function show(error, message = "") {
  $("error").textContent = error ? error.message || String(error) : "";
  $("message").textContent = message;
}

async function run(fn, message = "") {
  try {
    await fn();
    show(null, message);
  } catch (error) {
    show(error);
    if (error.code === "version_conflict") await reload();
  }
}

function stateBadge(item) {
  if (item.state === "cancelled") return el("span", { class: "badge cancelled" }, T.cancelled);
  if (item.ready) return el("span", { class: "badge ready" }, T.ready);
  return el("span", { class: `badge ${item.state}` }, item.state === "new" ? T.new : T.sent);
}

function itemRow(item) {
  const meta = [stateBadge(item)];
  if (item.seat) meta.push(el("span", {}, `${T.seat} ${item.seat}`));
  meta.push(el("span", {}, `${T.course} ${item.course}`));
  if (item.note) meta.push(el("em", {}, item.note));
  if (item.state === "new") {
    meta.push(
      el("button", { "aria-label": "−", onclick: () => change(item, -1) }, "−"),
      el("button", { "aria-label": "+", onclick: () => change(item, 1) }, "+"),
    );
  } else if (item.state === "sent") {
    meta.push(el("button", { onclick: () => openCancel(item) }, T.cancel));
  }
  if (item.state !== "cancelled") {
    meta.push(el("label", { class: "mark" }, el("input", {
      type: "checkbox", checked: marked.has(item.id),
      onchange: (e) => (e.target.checked ? marked.add(item.id) : marked.delete(item.id)),
    }), T.mark));
  }
  return el("li", { class: item.state, "data-item": item.id },
    el("span", { class: "name" }, `${item.quantity} × ${item.name}`),
    el("span", {}, `$ ${item.amount}`), el("div", { class: "meta" }, meta));
}

function render() {
  $("items").replaceChildren(
    ...(order.items.length ? order.items.map(itemRow) : [el("li", { class: "muted" }, T.empty)]),
  );
  totalsRows(order.totals, $("totals"));
  $("prebill").href = url(main.dataset.prebill, order.id);
  if ($("bill")) $("bill").href = url(main.dataset.billPage, order.id);
}

function set(data) {
  order = data;
  render();
}

async function reload() {
  set(await api(orderUrl()));
}

function renderMenu() {
  const cats = [...new Set(products.map((p) => p.category))];
  category = category ?? cats[0];
  $("categories").replaceChildren(...cats.map((c) =>
    el("button", { class: c === category ? "on" : "", onclick: () => { category = c; renderMenu(); } }, c || "—")));
  $("products").replaceChildren(...products.filter((p) => p.category === category).map((p) =>
    el("button", { "data-product": p.name, onclick: () => openItem(p) },
      el("span", {}, p.name), el("small", { class: "muted" }, `$ ${p.price}`))));
}

function openItem(product) {
  current = product;
  $("item-title").textContent = product.name;
  $("item-error").textContent = "";
  $("f-qty").value = 1;
  $("f-note").value = "";
  $("groups").replaceChildren(...product.groups.map((g) =>
    el("fieldset", {},
      el("legend", {}, `${g.name} (${T.choose} ${g.min}–${g.max})`),
      g.options.map((o) => el("label", {},
        el("input", { type: g.max === 1 ? "radio" : "checkbox", name: `g-${g.name}`, value: o.id }),
        o.name, Number(o.delta) ? ` (+$ ${o.delta})` : "")))));
  $("item-dialog").showModal();
}

async function addItem(event) {
  event.preventDefault();
  const modifiers = [...$("groups").querySelectorAll("input:checked")].map((i) => Number(i.value));
  try {
    set(await api(orderUrl("/items"), {
      product: current.id, quantity: $("f-qty").value || "1", modifiers,
      note: $("f-note").value, seat: $("f-seat").value || null, course: $("f-course").value,
    }));
    $("item-dialog").close();
    show(null);
  } catch (error) {
    $("item-error").textContent = error.message;
  }
}

async function change(item, delta) {
  const quantity = Math.max(0, Number(item.quantity) + delta);
  await run(async () =>
    set(await api(orderUrl(`/items/${item.id}`), { version: order.version, quantity: String(quantity) })));
}

function openCancel(item) {
  cancelling = item;
  $("cancel-title").textContent = `${T.cancel}: ${item.name}`;
  $("c-reason").value = "";
  $("c-pin").value = "";
  $("cancel-error").textContent = "";
  $("cancel-dialog").showModal();
}

async function cancelItem(event) {
  event.preventDefault();
  try {
    set(await api(orderUrl(`/items/${cancelling.id}/cancel`), {
      reason: $("c-reason").value, supervisor_pin: $("c-pin").value,
    }));
    $("cancel-dialog").close();
  } catch (error) {
    $("cancel-error").textContent = error.message;
  }
}

async function send() {
  await run(async () => {
    const data = await api(orderUrl("/send"), {});
    set(data);
    if (!data.tickets.length) throw new ApiError({ detail: T.nothing });
  }, T.sentOk);
}

async function openTables() {
  const data = await api(main.dataset.floorApi);
  $("t-table").replaceChildren(...data.areas.flatMap((a) => a.tables)
    .filter((t) => t.id !== order.table.id)
    .map((t) => el("option", { value: t.id }, `${T.table} ${t.name} · ${{ free: T.free, busy: T.busy, bill: T.bill }[t.status]}`)));
  $("table-error").textContent = "";
  $("table-dialog").showModal();
}

async function tableGo(event) {
  event.preventDefault();
  const action = $("t-action").value;
  const table = Number($("t-table").value);
  const body = { table, version: order.version, items: [...marked] };
  try {
    const data = await api(orderUrl(`/${action}`), body);
    marked.clear();
    $("table-dialog").close();
    if (data.table.id !== order.table.id) {
      window.location.href = url(main.dataset.floor.replace(/\/$/, "/mesa/0/"), data.table.id);
      return;
    }
    set(data);
  } catch (error) {
    $("table-error").textContent = error.message;
  }
}

async function start() {
  await run(async () => {
    set(await api(main.dataset.open, {}));
    products = (await api(main.dataset.menu)).products;
    renderMenu();
  });
  $("item-add").addEventListener("click", addItem);
  $("cancel-go").addEventListener("click", cancelItem);
  $("table-go").addEventListener("click", tableGo);
  $("send").addEventListener("click", send);
  $("table-actions").addEventListener("click", () => run(openTables));
  $("request-bill").addEventListener("click", () =>
    run(async () => set(await api(orderUrl("/bill"), {})), T.bill));
  // Other devices' lines and the kitchen's «listo» show up within seconds.
  poll(async () => {
    if (!order || document.querySelector("dialog[open]")) return;
    const data = await api(orderUrl());
    if (data.status !== "open") { window.location.href = main.dataset.floor; return; }
    if (data.version !== order.version || JSON.stringify(data.items) !== JSON.stringify(order.items)) set(data);
  }, 4000);
}

start();
