globalThis.DesklessPeer = globalThis.DesklessPeer ?? {}; // placeholder until the shared WebRTC script lands on main
