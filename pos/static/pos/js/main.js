// The counter page: wires the modules, the customer look-up, parked carts and
// the F-key shortcuts (shown on the buttons).
import {api, errorText} from "./api.js";
import {cart, changed, editOrderDiscount, quoteState, refresh, renderTotals} from "./cart.js";
import {initCatalog} from "./catalog.js";
import {cents, config, t} from "./i18n.js";
import {initPayments, reprintLast, startPayment} from "./payment.js";
import {salesList} from "./sales.js";
import {newCart, onChange, reload, save, state} from "./store.js";
import {loadSession, tillMenu} from "./till.js";
import {$, anyDialogOpen, button, el, modal, toast} from "./ui.js";

function customerDialog() {
  return modal(t("customer"), (dialog, close) => {
    const input = el("input", {id: "customer-q", type: "search", autofocus: true, autocomplete: "off",
                               "aria-label": t("customerSearch")});
    const list = el("ul", {class: "list", id: "customer-results"});
    const error = el("p", {class: "error"});
    let timer = null;
    const find = async () => {
      const q = input.value.trim();
      if (!q) { list.replaceChildren(); return; }
      const r = await api("/pos/api/customers", {q});  // POST: no cédula in a URL
      if (!r.ok) { error.textContent = errorText(r); return; }
      error.textContent = r.data.results.length ? "" : t("customerNotFound");
      list.replaceChildren(...r.data.results.map((c) => el("li", {},
        el("span", {}, el("strong", {text: c.name}), ` · ${c.identification}`),
        button(t("accept"), () => close(c), {class: "pick-customer"}))));
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 200); });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); find(); } });
    if (quoteState.data && !cart().customer &&
        cents(quoteState.data.total) > cents(config.finalConsumerLimit)) {
      dialog.append(el("p", {class: "warn", text: $("limit-warning").textContent}));
    }
    const form = quickAddForm(close, () => input.value.trim());
    dialog.append(el("label", {for: "customer-q", text: t("customerSearch")}), input, list, error,
      form,
      el("div", {class: "dlg-actions"},
        button(t("newCustomer"), () => form.reveal(), {id: "customer-new"}),
        button(t("finalConsumer"), () => close({final: true}), {id: "customer-final"}),
        button(t("cancel"), () => close(null))));
  }, {id: "customer-dialog"}).then((c) => {
    if (!c) return;
    cart().customer = c.final ? null : {id: c.id, name: c.name, identification: c.identification};
    changed();
  });
}

// Quick-add: the server checks the cédula/RUC (stdnum) and names the field of
// an error, shown under that field; nothing is saved until it is valid.
function quickAddForm(close, typed) {
  const types = [["05", "idCedula"], ["04", "idRuc"], ["06", "idPassport"], ["08", "idForeign"]];
  const field = (name, label, input) => {
    const error = el("p", {class: "error", id: `new-${name}-error`});
    return {name, input, error, row: el("label", {}, label, input, error)};
  };
  const fields = [
    field("id_type", t("idType"), el("select", {id: "new-id_type"},
      ...types.map(([code, key]) => el("option", {value: code, text: t(key)})))),
    field("identification", t("identification"),
      el("input", {id: "new-identification", inputmode: "numeric", autocomplete: "off"})),
    field("name", t("customerName"), el("input", {id: "new-name", autocomplete: "off"})),
    field("email", t("customerEmail"), el("input", {id: "new-email", type: "email"})),
  ];
  const general = el("p", {class: "error", id: "new-customer-error"});
  const save = async () => {
    const body = Object.fromEntries(fields.map((f) => [f.name, f.input.value]));
    fields.forEach((f) => { f.error.textContent = ""; });
    general.textContent = "";
    const r = await api("/pos/api/customers/new", body);
    if (r.ok) { close(r.data); return; }
    const marked = Object.entries(r.data?.fields || {[r.data?.field || ""]: errorText(r)});
    for (const [name, message] of marked) {
      const target = fields.find((f) => f.name === name);
      (target ? target.error : general).textContent = message;
    }
    const first = fields.find((f) => f.error.textContent);
    (first ? first.input : fields[1].input).focus();
  };
  const form = el("form", {class: "quick-add", id: "customer-new-form", hidden: true},
    ...fields.map((f) => f.row), general,
    el("div", {class: "dlg-actions"}, el("button", {type: "submit", text: t("saveCustomer")})));
  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
  form.reveal = () => {
    form.hidden = false;
    const guess = typed();  // what was typed in the search: a cédula/RUC or a name
    if (/^\d{10,13}$/.test(guess)) {
      fields[1].input.value = guess;
      fields[0].input.value = guess.length === 13 ? "04" : "05";
      fields[2].input.focus();
    } else {
      fields[2].input.value = guess;
      fields[1].input.focus();
    }
  };
  return form;
}

function cartLabel(c) {
  const first = c.lines.slice(0, 2).map((l) => l.name).join(", ");
  const time = new Date(c.created).toLocaleTimeString("es-EC", {hour: "2-digit", minute: "2-digit"});
  return `${time} · ${t("lines", {n: c.lines.length})} · ${first}`;
}

function park() {
  if (!cart().lines.length) { toast(t("empty"), "err"); return; }
  state.parked.push(cart());
  state.current = newCart();
  save();
  toast(t("parked"), "ok");
}

function parkedDialog() {
  return modal(t("parkedTitle"), (dialog, close) => {
    const rows = state.parked.map((c, i) => el("li", {},
      el("span", {}, cartLabel(c), c.error ? el("span", {class: "error", text: ` · ${c.error}`}) : null),
      button(t("resume"), () => close(i), {class: "resume"}),
      button("✕", () => { state.parked.splice(i, 1); save(); close(null); }, {"aria-label": t("remove")})));
    dialog.append(rows.length ? el("ul", {class: "list", id: "parked-list"}, rows)
                              : el("p", {class: "muted", text: t("noParked")}),
                  el("div", {class: "dlg-actions"}, button(t("close"), () => close(null))));
  }).then((i) => {
    if (i === null || i === undefined) return;
    const [resumed] = state.parked.splice(i, 1);
    if (cart().lines.length) state.parked.push(cart());
    delete resumed.error;
    state.current = resumed;
    save();
  });
}

function renderParked() {
  $("parked-count").textContent = state.parked.length ? `(${state.parked.length})` : "";
}

const SHORTCUTS = {
  F2: () => $("search").focus(),
  F6: editOrderDiscount,
  F7: customerDialog,
  F8: park,
  F9: salesList,
  F10: tillMenu,
  F11: reprintLast,
  F12: () => startPayment(customerDialog),
};

function init() {
  document.addEventListener("keydown", (e) => {
    const action = SHORTCUTS[e.key];
    if (!action || anyDialogOpen()) return;
    e.preventDefault();
    action();
  });
  $("customer-btn").addEventListener("click", customerDialog);
  $("parked-btn").addEventListener("click", parkedDialog);
  $("park-btn").addEventListener("click", park);
  $("discount-btn").addEventListener("click", editOrderDiscount);
  $("pay-btn").addEventListener("click", () => startPayment(customerDialog));
  $("till-btn").addEventListener("click", tillMenu);
  $("sales-btn").addEventListener("click", salesList);
  $("reprint-btn").addEventListener("click", reprintLast);
  $("point").addEventListener("change", loadSession);
  onChange(() => { renderParked(); refresh(); });
  // Back from the back office (bfcache) or another tab changed the till: read it again.
  window.addEventListener("pageshow", (e) => e.persisted && reload());
  window.addEventListener("storage", (e) => e.key?.startsWith("southernpos:pos:") && reload());
  renderParked();
  renderTotals();
  refresh();
  loadSession();
  initPayments();
  initCatalog().then(() => { document.body.dataset.ready = "1"; });
}

init();
