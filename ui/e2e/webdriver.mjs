// A small W3C WebDriver client (fetch + JSON) for tauri-driver: sessions, elements, frames, script,
// keys and screenshots. Enough for the end-to-end test, with no browser downloads or install scripts.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const res = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, res.sessionId);
  }

  /** One command; a driver that does not answer within `timeoutMs` is an error naming the command. */
  cmd(method, path, body, timeoutMs = COMMAND_TIMEOUT_MS) {
    return request(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  async quit() {
    await this.cmd("DELETE", "");
  }

  async find(css, { timeout = 5000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return new Element(this, el[ELEMENT]);
      } catch (e) {
        if (Date.now() > deadline) throw new WebDriverError(`no element matches ${css}: ${e.message}`);
        await sleep(50);
      }
    }
  }

  async findAll(css) {
    const els = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return els.map((e) => new Element(this, e[ELEMENT]));
  }

  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  /** Waits until `script` (a function body returning a value) returns something truthy. */
  async waitFor(script, { timeout = 10000, what = script, args = [] } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = await this.execute(script, args);
      if (v) return v;
      if (Date.now() > deadline) throw new WebDriverError(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  async switchToFrame(element) {
    await this.cmd("POST", "/frame", { id: element === null ? null : { [ELEMENT]: element.id } });
  }

  async switchToParent() {
    await this.cmd("POST", "/frame/parent", {});
  }

  /** A PNG of the window; `timeoutMs` bounds the wait (WebKitWebDriver has been seen not to answer). */
  async screenshot(timeoutMs = COMMAND_TIMEOUT_MS) {
    return Buffer.from(await this.cmd("GET", "/screenshot", undefined, timeoutMs), "base64");
  }

  /** Keys pressed with modifiers held (W3C actions), e.g. keys(["\uE009"], "z"). */
  async chord(modifiers, key) {
    const down = [...modifiers.map((m) => ({ type: "keyDown", value: m })), { type: "keyDown", value: key }];
    const up = [{ type: "keyUp", value: key }, ...modifiers.reverse().map((m) => ({ type: "keyUp", value: m }))];
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions: [...down, ...up] }] });
    await this.cmd("DELETE", "/actions");
  }
}

export class Element {
  constructor(session, id) {
    this.session = session;
    this.id = id;
  }
  click() {
    return this.session.cmd("POST", `/element/${this.id}/click`, {});
  }
  clear() {
    return this.session.cmd("POST", `/element/${this.id}/clear`, {});
  }
  type(text) {
    return this.session.cmd("POST", `/element/${this.id}/value`, { text });
  }
  text() {
    return this.session.cmd("GET", `/element/${this.id}/text`);
  }
  attr(name) {
    return this.session.cmd("GET", `/element/${this.id}/attribute/${name}`);
  }
  prop(name) {
    return this.session.cmd("GET", `/element/${this.id}/property/${name}`);
  }
  css(name) {
    return this.session.cmd("GET", `/element/${this.id}/css/${name}`);
  }
  async find(css) {
    const el = await this.session.cmd("POST", `/element/${this.id}/element`, { using: "css selector", value: css });
    return new Element(this.session, el[ELEMENT]);
  }
}

export const Keys = { CONTROL: "\uE009", SHIFT: "\uE008", BACKSPACE: "\uE003", END: "\uE010" };

/** How long a command may take before the test says the driver did not answer (fetch's own limit is 5 min). */
const COMMAND_TIMEOUT_MS = 120000;

async function request(base, method, path, body, timeoutMs = COMMAND_TIMEOUT_MS) {
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    if (e?.name === "TimeoutError") throw new WebDriverError(`${method} ${path}: the driver did not answer within ${timeoutMs / 1000} s`);
    throw e;
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    throw new WebDriverError(`${method} ${path}: ${json.value?.error ?? res.status} ${json.value?.message ?? ""}`);
  }
  return json.value;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
