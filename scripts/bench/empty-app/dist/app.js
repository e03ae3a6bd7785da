// The least the real UI does before it is usable: its script runs and one
// command reaches the backend, which reaches a server.
window.__TAURI_INTERNALS__.invoke("ready");
