// Telling the operator that something needs them: a short beep (WebAudio, no audio files) and a
// browser notification, each switchable (presence notify.sound / notify.browser).
//
// Two kinds of alert:
//   "queue"   a new client waits for this operator (a chat request, a customer who came with a
//             code or an invitation): it sounds even while the console is looked at;
//   "message" a visitor wrote: only while the console is not looked at;
//   "ticket"  a new ticket or a customer's reply on one the operator follows (operator/index.js,
//             while their email channel is on), or an automation rule's notification
//             (`ticket.automation`, whatever the channels): it sounds like "queue".
// An alert not seen (the window is hidden or unfocused) repeats every `repeatSeconds` (0: once)
// until the window becomes active or the alert is cleared (the request or chat was dealt
// with), and the page title counts the unseen ones: "(2) Desk · Deskless console".
//
// Every alert fired (the first and each repeat) is also announced on the window, for tests and
// integrations:  window "deskless:notify" CustomEvent, detail {kind, title, body, sound, browser}.

const TITLE_PREFIX = /^\(\d+\) /;

/** Is the operator looking at the console? */
export function windowActive() {
  return !document.hidden && document.hasFocus();
}

/** A two-tone beep through WebAudio. Browsers let audio start only after the person interacted
 *  with the page, so the context is made (or resumed) on the first pointer or key press. */
class Beeper {
  constructor() {
    this.context = null;
    this.unlock = this.unlock.bind(this);
    for (const event of ["pointerdown", "keydown"]) window.addEventListener(event, this.unlock, { capture: true });
    if (navigator.userActivation?.hasBeenActive) this.unlock(); // signing in was a click
  }

  unlock() {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) return;
    if (!this.context) this.context = new AudioContext();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
  }

  /** Whether sound can play now (the browser allowed audio on this page). */
  get ready() {
    return Boolean(this.context && this.context.state === "running");
  }

  /** Play the beep; true when it was played. */
  play() {
    if (!this.ready) {
      if (navigator.userActivation?.hasBeenActive) this.unlock(); // ready for the next one
      return false;
    }
    const now = this.context.currentTime;
    const gain = this.context.createGain();
    gain.connect(this.context.destination);
    gain.gain.setValueAtTime(0.0001, now);
    [880, 1175].forEach((frequency, index) => {
      const start = now + index * 0.18;
      const tone = this.context.createOscillator();
      tone.type = "sine";
      tone.frequency.setValueAtTime(frequency, start);
      tone.connect(gain);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      tone.start(start);
      tone.stop(start + 0.17);
    });
    return true;
  }

  stop() {
    for (const event of ["pointerdown", "keydown"]) window.removeEventListener(event, this.unlock, { capture: true });
    this.context?.close().catch(() => {});
  }
}

export class Notifier {
  /**
   * repeatSeconds: me.console.notification_repeat_seconds;
   * methods(): {sound, browser} as the operator set them now;
   * onOpen(key): the operator clicked a browser notification.
   */
  constructor({ repeatSeconds, methods, onOpen }) {
    this.repeatMs = Math.max(0, repeatSeconds || 0) * 1000;
    this.methods = methods;
    this.onOpen = onOpen;
    this.alerts = new Map(); // key -> {kind, title, body, timer, notification}
    this.beeper = new Beeper();
    this.seen = () => {
      if (windowActive()) this.clearAll();
    };
    window.addEventListener("focus", this.seen);
    document.addEventListener("visibilitychange", this.seen);
    this.titleWatch = new MutationObserver(() => this.retitle());
    const title = document.querySelector("title");
    if (title) this.titleWatch.observe(title, { childList: true, characterData: true, subtree: true });
  }

  /** Whether sound can play (false until the operator first clicks or types on this page). */
  get soundReady() {
    return this.beeper.ready;
  }

  /** Play the beep once, now (the operator tries the sound); true when it played. */
  testSound() {
    this.beeper.unlock();
    return this.beeper.play();
  }

  /** Something needs the operator; `key` names it (a later alert of the same key replaces it). */
  alert(key, { kind, title, body }) {
    this.clear(key);
    if (kind === "message" && windowActive()) return; // read as it arrives
    const alert = { kind, title, body, timer: null, notification: null };
    this.alerts.set(key, alert);
    this.fire(key, alert);
  }

  fire(key, alert) {
    const active = windowActive();
    const { sound: wantsSound, browser: wantsBrowser } = this.methods();
    const sound = Boolean(wantsSound) && this.beeper.play();
    const browser = Boolean(wantsBrowser) && !active && this.show(key, alert);
    const detail = { kind: alert.kind, title: alert.title, body: alert.body, sound, browser };
    window.dispatchEvent(new CustomEvent("deskless:notify", { detail }));
    if (active) {
      this.clear(key); // heard and seen at once
      return;
    }
    if (this.repeatMs > 0) alert.timer = setTimeout(() => this.repeat(key), this.repeatMs);
    this.retitle();
  }

  repeat(key) {
    const alert = this.alerts.get(key);
    if (!alert) return;
    if (windowActive()) {
      this.clearAll();
      return;
    }
    alert.notification?.close();
    alert.notification = null;
    this.fire(key, alert);
  }

  show(key, alert) {
    if (!("Notification" in window) || Notification.permission !== "granted") return false;
    try {
      const notification = new Notification(alert.title, { body: alert.body, tag: key });
      notification.onclick = () => {
        window.focus();
        notification.close();
        this.onOpen(key);
      };
      alert.notification = notification;
      return true;
    } catch {
      return false; // some browsers allow notifications only from a service worker
    }
  }

  /** The thing the alert was about was dealt with. */
  clear(key) {
    const alert = this.alerts.get(key);
    if (!alert) return;
    clearTimeout(alert.timer);
    alert.notification?.close();
    this.alerts.delete(key);
    this.retitle();
  }

  clearAll() {
    for (const key of [...this.alerts.keys()]) this.clear(key);
  }

  /** "(N) " before the page's title while N alerts are unseen. */
  retitle() {
    const base = document.title.replace(TITLE_PREFIX, "");
    const wanted = this.alerts.size ? `(${this.alerts.size}) ${base}` : base;
    if (document.title !== wanted) document.title = wanted;
  }

  stop() {
    this.clearAll();
    this.titleWatch.disconnect();
    window.removeEventListener("focus", this.seen);
    document.removeEventListener("visibilitychange", this.seen);
    this.beeper.stop();
  }
}

/** Ask the browser to allow notifications (call from a click); true when they are allowed. */
export async function allowBrowserNotifications() {
  if (!("Notification" in window)) return false;
  if (Notification.permission === "granted") return true;
  if (Notification.permission === "denied") return false;
  return (await Notification.requestPermission()) === "granted";
}
