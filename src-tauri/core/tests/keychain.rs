//! The API key at rest. Under `scripts/test-keychain.sh` (a private D-Bus
//! session with an unlocked gnome-keyring) `MEGALLM_EXPECT_KEYCHAIN=1` is set
//! and the key must land in the Secret Service; anywhere else it must land in
//! the private fallback file. Either way nothing else may hold it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use megallm_core::api::ApiKey;
use megallm_core::secrets::{KeyBackend, KeyStore};

#[test]
fn the_key_round_trips_through_the_right_backend() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("io.megallm.desktop.test.{}", std::process::id());
    let store = KeyStore::new(&service, dir.path());
    let key = ApiKey::new("sk-mega-test-0123456789").unwrap();
    let expect_keychain = std::env::var("MEGALLM_EXPECT_KEYCHAIN").is_ok_and(|v| v == "1");

    let backend = store.save(&key).unwrap();
    if expect_keychain {
        assert_eq!(
            backend,
            KeyBackend::Keychain,
            "a Secret Service is running; it must be used"
        );
        assert!(
            !store.file_path().exists(),
            "no plain copy when the keychain works"
        );
    }
    match backend {
        KeyBackend::File => {
            let meta = std::fs::metadata(store.file_path()).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(
                    meta.permissions().mode() & 0o777,
                    0o600,
                    "readable only by the user"
                );
            }
            let status = store.status(false);
            assert_eq!(status.backend, KeyBackend::File);
            assert!(
                status.notice.unwrap().contains("No keychain"),
                "the user is told plainly"
            );
        }
        KeyBackend::Keychain => assert_eq!(store.status(false).backend, KeyBackend::Keychain),
        other => panic!("unexpected backend {other:?}"),
    }

    let (loaded, from) = store.load().unwrap().unwrap();
    assert_eq!(loaded, key);
    assert_eq!(from, backend);
    assert!(
        !format!("{loaded:?}").contains("sk-mega"),
        "Debug never shows the key"
    );

    store.delete().unwrap();
    assert!(store.load().unwrap().is_none());
    assert!(!store.file_path().exists());
    assert_eq!(store.status(true).backend, KeyBackend::Environment);
}
