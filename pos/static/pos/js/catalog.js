// The catalog: category tabs, the product grid (paged, infinite scroll), server
// search, and the barcode scanner (a keyboard wedge typing fast, then Enter).
import {get} from "./api.js";
import {addProduct} from "./cart.js";
import {cents, money, t} from "./i18n.js";
import {$, anyDialogOpen, el, toast} from "./ui.js";

const view = {q: "", category: "", page: 1, next: null, controller: null, more: null};

function tile(p) {
  const price = p.price_gross ?? p.price;
  return el("button", {type: "button", class: "tile", dataset: {id: p.id}, title: p.code,
                       onclick: () => addProduct(p)},
    p.image ? el("img", {src: p.image, alt: "", loading: "lazy", width: 120, height: 64})
            : el("span", {class: "ph", "aria-hidden": "true", text: p.name.slice(0, 1)}),
    el("span", {class: "name", text: p.name}),
    el("span", {class: "price", text: `$${money(cents(price))}${p.unit === "kg" ? ` / ${t("kg")}` : ""}`}));
}

async function load({append = false} = {}) {
  view.controller?.abort();
  const controller = new AbortController();
  view.controller = controller;
  const params = new URLSearchParams({page: String(view.page)});
  if (view.q) params.set("q", view.q);
  if (view.category) params.set("category", view.category);
  let r;
  try {
    r = await get(`/pos/api/products?${params}`, {signal: controller.signal});
  } catch (error) { return; }  // aborted by a newer search
  const grid = $("grid");
  if (!r.ok) { toast(r.data.detail || t("network"), "err"); return; }
  if (!append) { grid.replaceChildren(); grid.scrollTop = 0; }
  view.more.remove();
  grid.append(...r.data.results.map(tile));
  if (!grid.children.length) grid.append(el("p", {class: "muted", text: t("noProducts")}));
  view.next = r.data.next_page ?? null;
  view.more.hidden = !view.next;
  grid.append(view.more);  // last in the grid: scrolling to it loads the next page
  document.body.dataset.catalog = "ready";
}

function search(q) {
  view.q = q;
  view.page = 1;
  return load();
}

// A scanned code: exact barcode look-up; one unit, or the weight an EAN-13 carries.
export async function scan(code) {
  const r = await get(`/pos/api/products?${new URLSearchParams({barcode: code})}`);
  if (r.offline) { toast(t("network"), "err"); return false; }
  const hit = (r.data.results || []).find((p) => p.barcode === code || p.code === code || p.quantity);
  if (!hit) { toast(t("unknownCode", {code}), "err"); return false; }
  const added = await addProduct(hit, {quantity: hit.quantity ?? null});
  if (added) toast(t("added", {name: hit.name}), "ok", 1500);
  return added;
}

const editable = (node) => node instanceof HTMLElement &&
  (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName));

function scanner() {
  let buffer = "";
  let last = 0;
  document.addEventListener("keydown", (e) => {
    if (anyDialogOpen() || e.ctrlKey || e.altKey || e.metaKey) { buffer = ""; return; }
    const now = e.timeStamp;
    const inField = editable(e.target);
    if (e.key === "Enter") {
      const code = buffer;
      buffer = "";
      // Outside a text field every key is the scanner's; in one, only a fast burst.
      if (code.length >= 4 && now - last < (inField ? 100 : 1000)) {
        e.preventDefault();
        const box = $("search");
        if (inField && box.value.endsWith(code)) {
          box.value = box.value.slice(0, -code.length);
          if (view.q !== box.value.trim()) search(box.value.trim());
        }
        scan(code);
      } else if (e.target === $("search") && $("search").value.trim()) {
        e.preventDefault();
        scan($("search").value.trim()).then((ok) => ok && ($("search").value = "", search("")));
      }
      return;
    }
    if (e.key.length !== 1) return;
    // In a field a scanner is told from a hand by its speed (< 50 ms a key).
    if (now - last > (inField ? 50 : 1000)) buffer = "";
    buffer += e.key;
    last = now;
  }, true);
}

export function initCatalog() {
  let timer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search($("search").value.trim()), 180);
  });
  $("tabs").addEventListener("click", (e) => {
    const tab = e.target.closest(".tab");
    if (!tab) return;
    for (const node of $("tabs").children) node.classList.toggle("active", node === tab);
    view.category = tab.dataset.category;
    view.page = 1;
    load();
  });
  const more = () => { if (view.next) { view.page = view.next; view.next = null; load({append: true}); } };
  view.more = $("more");
  view.more.addEventListener("click", more);
  new IntersectionObserver((entries) => entries.some((x) => x.isIntersecting) && more(),
                           {root: $("grid"), rootMargin: "200px"}).observe(view.more);
  scanner();
  return load();
}
