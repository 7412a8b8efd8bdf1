// Shared helpers of the restaurant pages (plain ES module, no build step).
export const T = document.getElementById("strings").dataset;

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export class ApiError extends Error {
  constructor(data) {
    super(data.detail || T.error);
    this.code = data.error;
    this.field = data.field;
  }
}

export async function api(url, body) {
  const options = body === undefined
    ? { headers: { Accept: "application/json" } }
    : {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
      };
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch {
    throw new ApiError({ error: "network", detail: T.error });
  }
  let data;
  try {
    data = await response.json();
  } catch {
    throw new ApiError({ error: "bad_response", detail: T.error });
  }
  if (!response.ok) throw new ApiError(data);
  return data;
}

export function url(template, id) {
  return template.replace("/0/", `/${id}/`).replace(/\/0$/, `/${id}`);
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function totalsRows(totals, table) {
  table.replaceChildren(
    ...[
      [T.subtotal, totals.subtotal],
      [T.tax, totals.tax],
      [T.service, totals.service],
      [T.total, totals.total],
    ].map(([label, value]) => el("tr", {}, el("td", {}, label), el("td", {}, `$ ${value}`))),
  );
}

export function poll(fn, ms) {
  // Polling, paused while the tab is hidden; the first call runs now.
  let timer = null;
  const tick = async () => {
    if (!document.hidden) {
      try { await fn(); } catch { /* shown by fn; keep polling */ }
    }
    timer = setTimeout(tick, ms);
  };
  tick();
  return () => clearTimeout(timer);
}
