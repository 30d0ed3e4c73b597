//! The spec's path templates (`/users/{user_id}`) and the request paths matched against them.

pub(crate) struct PathTemplate {
    /// As written in the spec, e.g. `/users/{user_id}`.
    pub(crate) template: String,
    /// `None` for a `{param}` segment.
    segments: Vec<Option<String>>,
}

impl PathTemplate {
    pub(crate) fn parse(template: &str) -> Self {
        let segments = split_path(template)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    None
                } else {
                    Some(s.to_string())
                }
            })
            .collect();
        PathTemplate {
            template: template.to_string(),
            segments,
        }
    }

    pub(crate) fn matches(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| match t {
                Some(lit) => lit == s,
                None => !s.is_empty(),
            })
    }

    /// Literal segments win over parameters, earlier ones first: `/users/count` beats
    /// `/users/{user_id}`.
    pub(crate) fn specificity(&self) -> Vec<bool> {
        self.segments.iter().map(Option::is_some).collect()
    }
}

pub(crate) fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
}

/// `http://host:1/v1/users?x=1` and `/v1/users?x=1` both give `/v1/users`.
pub(crate) fn request_path(path: &str) -> &str {
    let path = match path.find("://") {
        Some(i) => {
            let rest = &path[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => path,
    };
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}
