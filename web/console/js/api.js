// The HTTP API, as the console calls it: same origin (CloudFront in AWS, the local gateway
// locally), bearer token, JSON both ways, errors as ApiError with the API's code and message.

export class ApiError extends Error {
  /** details: for a 400 invalid_request, the API's [{field, problem}] (field like "chat_limit" or "away_reasons.1"). */
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** What the console starts from: where the API and the WebSocket API are (GET /api/config). */
export async function loadConfig() {
  const response = await fetch("/api/config", { headers: { accept: "application/json" } });
  if (!response.ok)
    throw new ApiError(response.status, "config_unavailable", "The service is not reachable right now.");
  return response.json();
}

function messageOf(status, body) {
  if (body && typeof body.message === "string") return body.message;
  if (body && Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
  if (status === 401 || status === 403) return "You are not allowed to do this.";
  return `The request failed (${status}).`;
}

export class Api {
  /** onUnauthorized is called when the token is refused (expired, or the user deactivated). */
  constructor(token, onUnauthorized = () => {}) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body) {
    const headers = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, "network", "The service is not reachable; check your connection.");
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      if (this.token && (response.status === 401 || (response.status === 403 && !data?.error))) this.onUnauthorized();
      const details = Array.isArray(data?.details) ? data.details : [];
      throw new ApiError(response.status, data?.error || "http_error", messageOf(response.status, data), details);
    }
    return data;
  }

  get(path) {
    return this.request("GET", path);
  }
  post(path, body = {}) {
    return this.request("POST", path, body);
  }
  patch(path, body) {
    return this.request("PATCH", path, body);
  }
  put(path, body) {
    return this.request("PUT", path, body);
  }
  del(path) {
    return this.request("DELETE", path);
  }
}

/**
 * Loads whose answers may come out of order (a search typed on: the shorter query's answer last;
 * a list asked for before a create answered): `next()` starts one, or marks a change made here
 * that makes the loads asked before it stale, and gives `latest()`: true until another starts.
 */
export class Latest {
  asked = 0;

  next() {
    const asked = ++this.asked;
    return () => asked === this.asked;
  }
}
