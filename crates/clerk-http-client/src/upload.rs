//! Profile image sources for `set_user_profile_image`: bytes in memory, a file, or any async
//! reader. Files and readers are streamed into the multipart body (part name `file`, as Clerk
//! expects), never loaded whole into memory.

use std::path::PathBuf;
use std::sync::Mutex;

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

use crate::error::{Error, Result};

type BoxReader = Box<dyn AsyncRead + Send + Sync + Unpin + 'static>;

/// An image to upload.
///
/// ```
/// use clerk_http_client::ProfileImage;
///
/// let from_memory = ProfileImage::from_bytes(vec![0x89, b'P', b'N', b'G']).file_name("me.png");
/// let from_disk = ProfileImage::from_path("avatar.jpg");
/// let from_reader = ProfileImage::from_reader(tokio::io::empty()).content_type("image/webp");
/// ```
pub struct ProfileImage {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    /// A reader can be read once; the slot is emptied by the first attempt, which is why uploads
    /// from a reader are never retried.
    Reader(Mutex<Option<BoxReader>>),
}

impl std::fmt::Debug for ProfileImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Bytes(b) => format!("{} bytes", b.len()),
            Source::Path(p) => format!("file {}", p.display()),
            Source::Reader(_) => "reader".to_owned(),
        };
        f.debug_struct("ProfileImage")
            .field("source", &source)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The in-memory forms [`ProfileImage::from_bytes`] accepts, each taken without a copy.
pub trait IntoImageBytes {
    /// The bytes, as the multipart body sends them.
    fn into_image_bytes(self) -> Bytes;
}

impl IntoImageBytes for Bytes {
    fn into_image_bytes(self) -> Bytes {
        self
    }
}

impl IntoImageBytes for Vec<u8> {
    fn into_image_bytes(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoImageBytes for Box<[u8]> {
    fn into_image_bytes(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoImageBytes for &'static [u8] {
    fn into_image_bytes(self) -> Bytes {
        Bytes::from_static(self)
    }
}

impl<const N: usize> IntoImageBytes for &'static [u8; N] {
    fn into_image_bytes(self) -> Bytes {
        Bytes::from_static(self)
    }
}

impl ProfileImage {
    /// An image already in memory: a `Vec<u8>`, [`Bytes`], a `&'static [u8]` or
    /// `&'static [u8; N]` (what `include_bytes!` gives), taken without copying. For borrowed
    /// bytes that do not live that long, pass `slice.to_vec()`.
    ///
    /// ```
    /// use clerk_http_client::{Bytes, ProfileImage};
    ///
    /// static LOGO: &[u8; 4] = b"\x89PNG"; // e.g. include_bytes!("logo.png")
    /// let from_array = ProfileImage::from_bytes(LOGO);
    /// let from_slice = ProfileImage::from_bytes(&LOGO[..]);
    /// let from_vec = ProfileImage::from_bytes(vec![0x89, b'P', b'N', b'G']);
    /// let from_bytes = ProfileImage::from_bytes(Bytes::from_static(b"\x89PNG"));
    /// ```
    pub fn from_bytes(bytes: impl IntoImageBytes) -> Self {
        Self::with_source(Source::Bytes(bytes.into_image_bytes()))
    }

    /// The file is opened when the request is sent; its name and extension give the part's file
    /// name and content type unless set explicitly.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Self::with_source(Source::Path(path.into()))
    }

    /// An image read from any async reader as the request is sent. A reader can be read once,
    /// so such an upload is never retried.
    pub fn from_reader(reader: impl AsyncRead + Send + Sync + Unpin + 'static) -> Self {
        Self::with_source(Source::Reader(Mutex::new(Some(Box::new(reader)))))
    }

    fn with_source(source: Source) -> Self {
        Self {
            source,
            file_name: None,
            content_type: None,
        }
    }

    /// The part's file name (default: the file's name, else `profile_image`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type`; guessed from the file name when not set, else
    /// `application/octet-stream`.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// Whether the body can be produced again for a retry.
    pub(crate) fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Reader(_))
    }

    /// The multipart form for one attempt.
    pub(crate) async fn form(&self) -> Result<Form> {
        let file_name = self.effective_file_name();
        let part = match &self.source {
            Source::Bytes(bytes) => Part::stream_with_length(bytes.clone(), bytes.len() as u64),
            Source::Path(path) => {
                let io_err = |source| Error::Io {
                    path: path.display().to_string(),
                    source,
                };
                let file = tokio::fs::File::open(path).await.map_err(io_err)?;
                let len = file.metadata().await.map_err(io_err)?.len();
                let body = reqwest::Body::wrap_stream(ReaderStream::new(file));
                Part::stream_with_length(body, len)
            }
            Source::Reader(slot) => {
                let reader = slot
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take()
                    .ok_or_else(|| {
                        Error::validation("file", "a reader can only be uploaded once")
                    })?;
                Part::stream(reqwest::Body::wrap_stream(ReaderStream::new(reader)))
            }
        };
        let mime = self
            .content_type
            .clone()
            .unwrap_or_else(|| guess_mime(&file_name).to_owned());
        let part = part
            .file_name(file_name)
            .mime_str(&mime)
            .map_err(|_| Error::validation("file", format!("invalid content type `{mime}`")))?;
        Ok(Form::new().part("file", part))
    }

    fn effective_file_name(&self) -> String {
        if let Some(name) = &self.file_name {
            return name.clone();
        }
        if let Source::Path(path) = &self.source {
            if let Some(name) = path.file_name() {
                return name.to_string_lossy().into_owned();
            }
        }
        // Servers (Clerk's included) want a file name on the part to treat it as a file.
        "profile_image".to_owned()
    }
}

/// The image types Clerk accepts, by extension; anything else is sent as opaque bytes and left to
/// the server to judge.
fn guess_mime(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("avif") => "image/avif",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_is_guessed_from_the_extension() {
        assert_eq!(guess_mime("Avatar.JPG"), "image/jpeg");
        assert_eq!(guess_mime("a.png"), "image/png");
        assert_eq!(guess_mime("noext"), "application/octet-stream");
    }

    #[tokio::test]
    async fn a_reader_is_consumed_by_the_first_attempt() {
        let image = ProfileImage::from_reader(tokio::io::empty());
        assert!(!image.is_replayable());
        assert!(image.form().await.is_ok());
        assert!(matches!(image.form().await, Err(Error::Validation { .. })));
    }

    #[tokio::test]
    async fn a_missing_file_is_an_io_error_naming_the_path() {
        let image = ProfileImage::from_path("/definitely/not/here.png");
        match image.form().await {
            Err(Error::Io { path, .. }) => assert_eq!(path, "/definitely/not/here.png"),
            other => panic!("expected Io error, got {other:?}"),
        }
    }
}
