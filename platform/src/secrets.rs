//! Secrets at rest: ChaCha20-Poly1305 with a key derived from the server
//! secret (`Auth::derived_key(purpose)`), a random nonce per value, stored as
//! base64 of nonce ‖ ciphertext. Webhook signing secrets and chatbot
//! provider API keys are sealed with it.

use std::sync::Arc;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::Rng;

use crate::error::{ApiError, ApiResult};

/// The prefix [`SecretBox::seal_marked`] puts before a sealed value inside
/// documents that may also hold clear text (so clear values can be upgraded).
pub const MARK: &str = "enc:v1:";

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<ChaCha20Poly1305>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox")
    }
}

impl SecretBox {
    /// `key`: its first 32 bytes (zero-padded when shorter).
    pub fn new(key: &[u8]) -> SecretBox {
        let mut k = [0u8; 32];
        for (i, b) in key.iter().take(32).enumerate() {
            k[i] = *b;
        }
        SecretBox {
            cipher: Arc::new(ChaCha20Poly1305::new(&Key::from(k))),
        }
    }

    /// base64(nonce ‖ ciphertext) of `secret`.
    pub fn seal(&self, secret: &str) -> ApiResult<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), secret.as_bytes())
            .map_err(|_| ApiError::internal("could not encrypt a secret"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// The secret [`seal`](Self::seal) stored; `None` when it does not open
    /// (another key, or tampered).
    pub fn open(&self, stored: &str) -> Option<String> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(stored)
            .ok()?;
        if raw.len() < 13 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), sealed).ok()?;
        String::from_utf8(plain).ok()
    }

    /// `enc:v1:` + [`seal`](Self::seal); a value already marked is kept.
    pub fn seal_marked(&self, secret: &str) -> ApiResult<String> {
        if is_marked(secret) {
            return Ok(secret.to_string());
        }
        Ok(format!("{MARK}{}", self.seal(secret)?))
    }

    /// The clear value of a marked secret; an unmarked value is returned as
    /// it is (clear text from before encryption).
    pub fn open_marked(&self, stored: &str) -> Option<String> {
        match stored.strip_prefix(MARK) {
            Some(sealed) => self.open(sealed),
            None => Some(stored.to_string()),
        }
    }
}

/// Whether `value` is a [`SecretBox::seal_marked`] value.
pub fn is_marked(value: &str) -> bool {
    value.starts_with(MARK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        let a = SecretBox::new(b"0123456789abcdef0123456789abcdef");
        let b = SecretBox::new(b"another key, another key, another");
        let sealed = a.seal("sk-live-123").unwrap();
        assert!(!sealed.contains("sk-live"));
        assert_eq!(a.open(&sealed).as_deref(), Some("sk-live-123"));
        assert_eq!(b.open(&sealed), None);
        let marked = a.seal_marked("sk-live-123").unwrap();
        assert!(is_marked(&marked));
        assert_eq!(a.seal_marked(&marked).unwrap(), marked);
        assert_eq!(a.open_marked(&marked).as_deref(), Some("sk-live-123"));
        assert_eq!(a.open_marked("clear").as_deref(), Some("clear"));
    }
}
