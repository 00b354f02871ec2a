/* Deskless screen sharing: one side of one shared screen over WebRTC. The join and support pages
   inline it into their one script; the operator console loads the same file as peer.js.

   The sharer offers one video track and a negotiated data channel, "pointer", on which the viewer
   says where it points. Offers, answers and ICE candidates travel over the WebSocket API (the
   page's `signal`, relayed by the server to the other side only); the picture and the pointer go
   from browser to browser, never through the server.

     const peer = DesklessPeer.open({role, iceServers, stream, signal, onState, onStream, onPointer});
     peer.receive({description} | {candidate});   a signal the other side sent
     peer.point(message);                          viewer: send where it points
     peer.close();

   onState(state, reason): "connecting"; "direct" or "relayed" (through a TURN server) once
   connected; "failed" with a reason, "no_path" (no network route between the two browsers: a
   firewall that blocks WebRTC), "timeout" (no connection within 30 s), "lost" (connected, then
   gone for good) or "negotiation" (the browsers could not agree on the media); "closed".

   Pointer messages, in fractions (0 to 1) of the shared picture: {t: "move", x, y}, {t: "hide"},
   {t: "mark", points: [[x, y], ...]}. The sharer gets them checked: whatever the other side sends
   becomes one of these three, or nothing. */
const DesklessPeer = (() => {
  "use strict";

  const CONNECT_WITHIN_MS = 30 * 1000;
  const LOST_AFTER_MS = 10 * 1000; // "disconnected" for this long: restart ICE (the sharer), then give up
  const MAX_MARK_POINTS = 500;

  const fraction = (value) =>
    typeof value === "number" && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : null;

  /** What a pointer message from the other side may be: a clean copy, or null. */
  function pointerMessage(message) {
    if (!message || typeof message !== "object") return null;
    if (message.t === "hide") return { t: "hide" };
    if (message.t === "move") {
      const x = fraction(message.x);
      const y = fraction(message.y);
      return x === null || y === null ? null : { t: "move", x, y };
    }
    if (message.t === "mark" && Array.isArray(message.points)) {
      const points = message.points
        .slice(0, MAX_MARK_POINTS)
        .map((point) => (Array.isArray(point) ? [fraction(point[0]), fraction(point[1])] : [null, null]))
        .filter(([x, y]) => x !== null && y !== null);
      return points.length ? { t: "mark", points } : null;
    }
    return null;
  }

  function open({ role, iceServers, stream, signal, onState, onStream, onPointer }) {
    const sharer = role === "sharer";
    const pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    const channel = pc.createDataChannel("pointer", { negotiated: true, id: 0 });
    const early = []; // candidates that came before the other side's description
    let queue = Promise.resolve(); // signals are handled one at a time, in the order they came
    let state = "";
    let closed = false;
    let restarted = false;
    let connectedOnce = false;
    let lostTimer = 0;
    const connectTimer = setTimeout(() => fail("timeout"), CONNECT_WITHIN_MS);

    function report(next, reason = "") {
      if (closed || next === state) return;
      state = next;
      if (onState) onState(next, reason);
    }

    function fail(reason) {
      clearTimeout(connectTimer);
      clearTimeout(lostTimer);
      report("failed", reason);
    }

    async function offer() {
      try {
        await pc.setLocalDescription(await pc.createOffer());
        signal({ description: pc.localDescription.toJSON() });
      } catch {
        fail("negotiation");
      }
    }

    /** Direct or relayed: read from the candidate pair the connection chose. */
    async function route() {
      try {
        const stats = await pc.getStats();
        let pair = null;
        for (const report of stats.values()) {
          if (report.type === "transport" && report.selectedCandidatePairId)
            pair = stats.get(report.selectedCandidatePairId);
        }
        if (!pair) {
          for (const report of stats.values()) {
            if (report.type === "candidate-pair" && report.nominated && report.state === "succeeded") pair = report;
          }
        }
        const ends = pair ? [stats.get(pair.localCandidateId), stats.get(pair.remoteCandidateId)] : [];
        report(ends.some((end) => end?.candidateType === "relay") ? "relayed" : "direct");
      } catch {
        report("direct");
      }
    }

    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate?.candidate) signal({ candidate: candidate.toJSON() });
    });
    pc.addEventListener("connectionstatechange", () => {
      switch (pc.connectionState) {
        case "connected":
          clearTimeout(connectTimer);
          clearTimeout(lostTimer);
          connectedOnce = true;
          state = ""; // a reconnection reports its route again
          route();
          break;
        case "disconnected":
          report("connecting");
          clearTimeout(lostTimer);
          lostTimer = setTimeout(() => {
            if (sharer && !restarted) {
              restarted = true;
              pc.restartIce(); // a new offer follows (negotiationneeded)
              lostTimer = setTimeout(() => fail("lost"), LOST_AFTER_MS);
            } else fail("lost");
          }, LOST_AFTER_MS);
          break;
        case "failed":
          if (sharer && connectedOnce && !restarted) {
            restarted = true;
            pc.restartIce();
          } else fail(connectedOnce ? "lost" : "no_path");
          break;
        default:
          break;
      }
    });

    if (sharer) {
      pc.addEventListener("negotiationneeded", offer);
      for (const track of stream.getVideoTracks()) {
        track.contentHint = "detail"; // text on a screen: keep it sharp rather than smooth
        const sender = pc.addTrack(track, stream);
        const parameters = sender.getParameters();
        parameters.degradationPreference = "maintain-resolution";
        sender.setParameters(parameters).catch(() => {});
      }
      channel.addEventListener("message", ({ data }) => {
        let message = null;
        try {
          message = pointerMessage(JSON.parse(data));
        } catch {
          return;
        }
        if (message && onPointer) onPointer(message);
      });
    } else {
      pc.addEventListener("track", ({ track, streams }) => {
        if (onStream) onStream(streams[0] || new MediaStream([track]));
      });
    }
    report("connecting");

    async function handle({ description, candidate }) {
      if (description) {
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          await pc.setLocalDescription(await pc.createAnswer());
          signal({ description: pc.localDescription.toJSON() });
        }
        for (const waiting of early.splice(0)) await pc.addIceCandidate(waiting);
      } else if (candidate) {
        if (pc.remoteDescription) await pc.addIceCandidate(candidate);
        else early.push(candidate);
      }
    }

    return {
      receive(message) {
        queue = queue.then(() => (closed ? undefined : handle(message))).catch(() => fail("negotiation"));
        return queue;
      },
      point(message) {
        if (channel.readyState === "open") channel.send(JSON.stringify(message));
      },
      close() {
        if (closed) return;
        clearTimeout(connectTimer);
        clearTimeout(lostTimer);
        report("closed");
        closed = true;
        channel.close();
        pc.close();
      },
    };
  }

  /** The screen, window or tab the person picks in their browser's own dialog. Fails with
      `reason`: "unsupported" (this browser cannot share), "cancelled" (the dialog was closed, or
      sharing is blocked), "failed" (anything else). */
  async function capture() {
    if (!navigator.mediaDevices?.getDisplayMedia) {
      throw Object.assign(new Error("This browser cannot share a screen."), { reason: "unsupported" });
    }
    try {
      return await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: { ideal: 15, max: 30 } },
        audio: false,
      });
    } catch (error) {
      const reason =
        error.name === "NotAllowedError" || error.name === "AbortError"
          ? "cancelled"
          : error.name === "NotSupportedError" || error.name === "TypeError"
            ? "unsupported"
            : "failed";
      throw Object.assign(new Error(error.message || "The screen could not be shared."), { reason });
    }
  }

  /** When `video` shows its first frame (epoch ms), for the benchmark and the tests. */
  function firstFrame(video) {
    return new Promise((resolve) => {
      if ("requestVideoFrameCallback" in video) {
        video.requestVideoFrameCallback((now) => resolve(performance.timeOrigin + now));
      } else video.addEventListener("loadeddata", () => resolve(Date.now()), { once: true });
    });
  }

  return { open, capture, firstFrame, pointerMessage };
})();
globalThis.DesklessPeer = DesklessPeer; // the console's modules read it from there
