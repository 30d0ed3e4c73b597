//! Where profile images live: an `object_store` (a local directory by default, S3-compatible
//! storage by URL), not the database.

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

#[derive(Clone)]
pub struct ImageStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Path,
}

#[derive(Debug, thiserror::Error)]
#[error("image store: {0}")]
pub struct ImageStoreError(#[from] object_store::Error);

impl ImageStore {
    /// `file:///dir`, a bare directory path, `s3://bucket/prefix` (credentials and region
    /// from the usual `AWS_*` environment variables; `AWS_ENDPOINT` for S3-compatible servers),
    /// or `memory:` (kept in this process only: for tests and embedding).
    pub fn open(location: &str) -> Result<Self, ImageStoreError> {
        if location == "memory:" {
            let store = object_store::memory::InMemory::new();
            Ok(Self {
                inner: Arc::new(store),
                prefix: Path::default(),
            })
        } else if location.contains("://") {
            let url = url::Url::parse(location).map_err(|e| object_store::Error::Generic {
                store: "image store",
                source: Box::new(e),
            })?;
            let env = std::env::vars()
                .filter(|(k, _)| k.starts_with("AWS_"))
                .map(|(k, v)| (k.to_lowercase(), v));
            if url.scheme() == "file" {
                std::fs::create_dir_all(url.path()).map_err(|e| object_store::Error::Generic {
                    store: "image store",
                    source: Box::new(e),
                })?;
            }
            let (store, prefix) = object_store::parse_url_opts(&url, env)?;
            Ok(Self {
                inner: Arc::from(store),
                prefix,
            })
        } else {
            std::fs::create_dir_all(location).map_err(|e| object_store::Error::Generic {
                store: "image store",
                source: Box::new(e),
            })?;
            let store = object_store::local::LocalFileSystem::new_with_prefix(location)?;
            Ok(Self {
                inner: Arc::new(store),
                prefix: Path::default(),
            })
        }
    }

    fn path(&self, key: &str) -> Path {
        self.prefix.child(key)
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), ImageStoreError> {
        self.inner
            .put(&self.path(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The image's bytes, or `None` if there is no such key.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, ImageStoreError> {
        match self.inner.get(&self.path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), ImageStoreError> {
        match self.inner.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes an image that no row references any more (replaced, removed, or its user
    /// deleted), so its public URL answers 404. Called only after the row change has
    /// committed: deleting first would leave a committed row pointing at nothing if the commit
    /// failed. A failure is logged, never answered: the request's change is already durable,
    /// and the orphaned object can be found by a sweep of keys that no row references.
    pub async fn discard(&self, key: &str) {
        if let Err(e) = self.delete(key).await {
            tracing::warn!(error = %e, key, "could not delete an image no user references");
        }
    }
}

/// The image formats accepted, recognised by their first bytes (never by the declared type).
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::sniff_image_type;

    #[test]
    fn recognises_formats_by_bytes() {
        assert_eq!(
            sniff_image_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(
            sniff_image_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_image_type(b"GIF89a...."), Some("image/gif"));
        assert_eq!(
            sniff_image_type(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(sniff_image_type(b"<svg xmlns=..."), None);
        assert_eq!(sniff_image_type(b"PNG but not really"), None);
        assert_eq!(sniff_image_type(b""), None);
    }
}
