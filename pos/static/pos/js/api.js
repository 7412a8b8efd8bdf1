// The JSON API client: every answer as {ok, status, data}; a network failure is `offline`.
import {t} from "./i18n.js";

const csrf = () =>
  document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] ?? "";

export async function api(url, body, {signal} = {}) {
  const options = {signal, credentials: "same-origin", headers: {Accept: "application/json"}};
  if (body !== undefined) {
    options.method = "POST";
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRFToken"] = csrf();
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return {ok: false, status: 0, offline: true, data: {detail: t("network")}};
  }
  const data = await response.json().catch(() => ({}));
  return {ok: response.ok, status: response.status, offline: false, data};
}

export function errorText(r) {
  if (r.offline) return t("network");
  return r.data?.detail || t("serverError", {status: r.status});
}

export const get = (url, opts) => api(url, undefined, opts);
