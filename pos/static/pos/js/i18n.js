// Texts and settings the template renders (json_script): the modules hold no word of their own.
const strings = JSON.parse(document.getElementById("pos-strings").textContent);
export const config = JSON.parse(document.getElementById("pos-config").textContent);

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(vars[name] ?? "")).replace("%%", "%");
}

// Money and quantities as strings; arithmetic in integer cents (never binary floats).
export function cents(value) {
  const m = /^\s*(-)?(\d*)(?:[.,](\d*))?\s*$/.exec(String(value ?? ""));
  if (!m || (m[2] === "" && !m[3])) return null;
  const frac = ((m[3] || "") + "00").slice(0, 2);
  const rest = (m[3] || "").slice(2);
  let c = Number(m[2] || "0") * 100 + Number(frac);
  if (rest && Number(rest[0]) >= 5) c += 1;
  return m[1] ? -c : c;
}

export function money(c) {
  const sign = c < 0 ? "-" : "";
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

// A quantity (up to 3 decimals) as thousandths, back to a short string.
export function milli(value) {
  const m = /^\s*(\d*)(?:[.,](\d{0,3}))?\s*$/.exec(String(value ?? ""));
  if (!m || (m[1] === "" && !m[2])) return null;
  return Number(m[1] || "0") * 1000 + Number(((m[2] || "") + "000").slice(0, 3));
}

export function qtyText(m) {
  const whole = Math.floor(m / 1000);
  const frac = String(m % 1000).padStart(3, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}
