//! An empty Tauri window whose page calls `ready` once its script runs;
//! `ready` connects to `BENCH_READY_ADDR` (the benchmark's listener), as the
//! real app's first command reaches the service.

use std::io::Write;

#[tauri::command]
fn ready() {
    if let Ok(addr) = std::env::var("BENCH_READY_ADDR")
        && let Ok(mut stream) = std::net::TcpStream::connect(addr)
    {
        let _ = stream.write_all(b"GET /ready HTTP/1.0\r\n\r\n");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| eprintln!("{e}"));
}
