//! Profile images: upload (multipart `file`), serving, replacement, removal, restart.

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::TestServer;

/// A 1×1 PNG (its bytes as any PNG encoder writes them).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn upload(
    s: &TestServer,
    user_id: &str,
    bytes: Vec<u8>,
    declared: &str,
) -> crate::support::Resp {
    let part = Part::bytes(bytes)
        .file_name("avatar")
        .mime_str(declared)
        .unwrap();
    let form = Form::new().part("file", part);
    s.send(
        s.req(Method::POST, &format!("/users/{user_id}/profile_image"))
            .multipart(form),
    )
    .await
}

async fn fetch(url: &str) -> (u16, Option<String>, Vec<u8>) {
    let res = reqwest::get(url).await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, res.bytes().await.unwrap().to_vec())
}

async fn upload_serve_replace_delete(mut s: TestServer) {
    let u = s.create_user(json!({})).await;
    assert_eq!(u["has_image"], false);
    let v = upload(&s, &id(&u), PNG.to_vec(), "image/png").await.ok();
    assert_eq!(v["has_image"], true);
    let url = v["image_url"].as_str().unwrap().to_owned();
    assert_eq!(v["profile_image_url"], url.as_str());
    assert_eq!(
        fetch(&url).await,
        (200, Some("image/png".into()), PNG.to_vec())
    );

    // The declared type does not matter; the bytes do.
    let v = upload(&s, &id(&u), GIF.to_vec(), "application/octet-stream")
        .await
        .ok();
    let gif_url = v["image_url"].as_str().unwrap().to_owned();
    assert_ne!(gif_url, url);
    assert_eq!(fetch(&gif_url).await.1.as_deref(), Some("image/gif"));
    assert_eq!(fetch(&url).await.0, 404, "the replaced image is gone");

    // A restart keeps the image.
    s.restart().await;
    let after = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(after["has_image"], true);
    let (status, _, bytes) = fetch(after["image_url"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (200, GIF.to_vec()));

    let v = s
        .delete(&format!("/users/{}/profile_image", id(&u)))
        .await
        .ok();
    assert_eq!(v["has_image"], false);
    assert!(!v["image_url"].as_str().unwrap().contains("/_ext/images/"));
    s.delete(&format!("/users/{}/profile_image", id(&u)))
        .await
        .err(404, "image_not_found");
}

async fn bad_uploads(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let fake = upload(
        &s,
        &id(&u),
        b"<html>not an image</html>".to_vec(),
        "image/png",
    )
    .await;
    fake.form_err("form_param_value_invalid", "file");
    let mut huge = PNG.to_vec();
    huge.resize(11 * 1024 * 1024, 0);
    let part = Part::bytes(huge)
        .file_name("avatar")
        .mime_str("image/png")
        .unwrap();
    let request = s
        .req(Method::POST, &format!("/users/{}/profile_image", id(&u)))
        .multipart(Form::new().part("file", part));
    if let Some(too_big) = s.send_oversized(request).await {
        too_big.err(413, "request_body_too_large");
    }
    let mut just_over = PNG.to_vec();
    just_over.resize(10 * 1024 * 1024 + 1, 0);
    upload(&s, &id(&u), just_over, "image/png")
        .await
        .form_err("form_param_exceeds_allowed_size", "file");
    let no_file = Form::new().text("other", "x");
    let missing = s
        .send(
            s.req(Method::POST, &format!("/users/{}/profile_image", id(&u)))
                .multipart(no_file),
        )
        .await;
    assert_eq!(
        missing.err(400, "form_param_missing").as_deref(),
        Some("file")
    );
    let not_multipart = s
        .post(
            &format!("/users/{}/profile_image", id(&u)),
            json!({"file": "x"}),
        )
        .await;
    not_multipart.err(400, "request_body_invalid");
    upload(&s, "user_missing", PNG.to_vec(), "image/png")
        .await
        .err(404, "resource_not_found");
    assert_eq!(
        s.get(&format!("/users/{}", id(&u))).await.ok()["has_image"],
        false
    );
    let base = s.base.trim_end_matches("/v1").to_owned();
    assert_eq!(fetch(&format!("{base}/_ext/images/img_nope")).await.0, 404);
    assert_eq!(
        fetch(&format!("{base}/_ext/images/..%2F..%2Fclerk.db"))
            .await
            .0,
        404
    );
}

/// How many image objects the server's store holds (files under its directory).
fn stored_images(s: &TestServer) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .map(|e| e.unwrap().path())
            .map(|p| if p.is_dir() { count(&p) } else { 1 })
            .sum()
    }
    count(&s.image_store_dir())
}

/// A missing image answers 404 in Clerk's envelope.
async fn assert_image_gone(url: &str) {
    let (status, ct, body) = fetch(url).await;
    assert_eq!(status, 404, "{url} is still served");
    assert_eq!(ct.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["errors"][0]["code"], "image_not_found", "{body}");
}

/// The bytes are served inert (no sniffing, no script, no access to our origin), and no shared
/// cache may keep them past a deletion.
async fn served_images_are_inert_and_not_shared_cached(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let v = upload(&s, &id(&u), GIF.to_vec(), "image/gif").await.ok();
    let url = v["image_url"].as_str().unwrap().to_owned();
    let missing = format!("{}/_ext/images/img_nope", s.root_url());
    for (url, status) in [(url.as_str(), 200), (missing.as_str(), 404)] {
        let res = reqwest::get(url).await.unwrap();
        assert_eq!(res.status().as_u16(), status);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(
            header("content-security-policy").as_deref(),
            Some("sandbox")
        );
        if status == 200 {
            let cache = header("cache-control").unwrap();
            assert!(cache.contains("private"), "{cache}");
            assert!(!cache.contains("public"), "{cache}");
            assert!(!cache.contains("immutable"), "{cache}");
        }
    }
}

/// Deleting a user, or its image, deletes the stored object: its URL answers 404 and the
/// store holds nothing. A new upload gets a new key.
async fn deletion_deletes_the_stored_object(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let v = upload(&s, &id(&u), PNG.to_vec(), "image/png").await.ok();
    let url = v["image_url"].as_str().unwrap().to_owned();
    assert_eq!(stored_images(&s), 1);
    s.delete(&format!("/users/{}", id(&u))).await.ok();
    assert_image_gone(&url).await;
    assert_eq!(stored_images(&s), 0, "the deleted user's image is gone");

    let u = s.create_user(json!({})).await;
    let v = upload(&s, &id(&u), PNG.to_vec(), "image/png").await.ok();
    let first = v["image_url"].as_str().unwrap().to_owned();
    s.delete(&format!("/users/{}/profile_image", id(&u)))
        .await
        .ok();
    assert_image_gone(&first).await;
    assert_eq!(stored_images(&s), 0, "the removed image is gone");
    // The same bytes again: a new key, so nothing cached under the old URL comes back.
    let v = upload(&s, &id(&u), PNG.to_vec(), "image/png").await.ok();
    let second = v["image_url"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(fetch(&second).await.0, 200);
    assert_image_gone(&first).await;
    assert_eq!(stored_images(&s), 1);
}

/// Uploads racing the deletion of their user leave no object behind, whichever commits first:
/// the deletion removes the image it saw, an upload that finds the user gone removes its own.
async fn uploads_racing_user_deletion_leave_no_object(s: TestServer) {
    let users = futures::future::join_all((0..6).map(|_| s.create_user(json!({})))).await;
    let races = users.iter().map(|u| {
        let s = &s;
        async move {
            let user_id = id(u);
            let user_path = format!("/users/{user_id}");
            let uploads = (0..3).map(|_| upload(s, &user_id, PNG.to_vec(), "image/png"));
            let (answers, deleted) =
                tokio::join!(futures::future::join_all(uploads), s.delete(&user_path));
            deleted.ok();
            answers
        }
    });
    let mut urls = Vec::new();
    for answer in futures::future::join_all(races).await.into_iter().flatten() {
        match answer.status {
            200 => urls.push(answer.body["image_url"].as_str().unwrap().to_owned()),
            _ => {
                answer.err(404, "resource_not_found");
            }
        }
    }
    for url in &urls {
        assert_image_gone(url).await;
    }
    assert_eq!(stored_images(&s), 0, "orphaned image objects");
}

crate::on_both_stores!(
    upload_serve_replace_delete,
    bad_uploads,
    served_images_are_inert_and_not_shared_cached,
    deletion_deletes_the_stored_object,
    uploads_racing_user_deletion_leave_no_object
);
