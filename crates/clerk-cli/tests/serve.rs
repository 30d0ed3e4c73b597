//! `clerk serve` as a process: SIGTERM lets in-flight requests finish within
//! `--shutdown-timeout` and exits 0; the serving flags reach the server; stalled connections
//! past the file-descriptor limit wait in the listen backlog instead of starving everyone.
//!
//! Every "it happens" is bounded by [`EVENTUALLY`], never timed exactly.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

mod common;

use common::{Server, SECRET_KEY};

const EVENTUALLY: Duration = Duration::from_secs(30);

/// A running `clerk serve` (see [`Server::start_with`]) driven over raw sockets and signals.
struct Serve {
    server: Server,
    addr: SocketAddr,
}

impl Serve {
    fn start(args: &[&str], nofile: Option<u32>) -> Self {
        let server = Server::start_with(args, nofile);
        let addr = server.addr();
        Serve { server, addr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(EVENTUALLY)).unwrap();
        stream
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.server.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit.
    fn wait(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.server.try_wait() {
                return status;
            }
            assert!(start.elapsed() < EVENTUALLY, "clerk serve did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until connecting is refused: the server stopped accepting.
    fn wait_until_refusing(&self) {
        let start = Instant::now();
        while TcpStream::connect(self.addr).is_ok() {
            assert!(start.elapsed() < EVENTUALLY, "still accepting connections");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads one response: status and body (`Content-Length` framed).
fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).expect("a response in time");
        assert!(n > 0, "closed before a response");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).expect("the body in time");
        assert!(n > 0, "closed mid-body");
        body.extend_from_slice(&chunk[..n]);
    }
    (status, String::from_utf8(body).unwrap())
}

/// Reads until the server closes the connection (fails the test if it stays open).
fn read_until_closed(stream: &mut TcpStream) {
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                panic!("the connection is still open")
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                panic!("the connection is still open")
            }
            Err(_) => return, // reset: closed too
        }
    }
}

fn ping(stream: &mut TcpStream) -> (u16, String) {
    write!(
        stream,
        "GET /v1/_ext/ping HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {SECRET_KEY}\r\n\r\n"
    )
    .unwrap();
    read_response(stream)
}

/// A create-user request whose handler is reading the body (hyper's `100 Continue` says so):
/// in flight until the body is sent.
fn request_in_flight(serve: &Serve, body: &str) -> TcpStream {
    let mut stream = serve.connect();
    write!(
        stream,
        "POST /v1/users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {SECRET_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (status, _) = read_response(&mut stream);
    assert_eq!(status, 100);
    stream
}

#[test]
fn sigterm_answers_the_request_in_flight_then_exits_0() {
    let mut serve = Serve::start(&["--shutdown-timeout", "30s"], None);
    let body = r#"{"email_address":["inflight@example.com"]}"#;
    let mut in_flight = request_in_flight(&serve, body);

    serve.sigterm();
    serve.wait_until_refusing();
    in_flight.write_all(body.as_bytes()).unwrap();
    let (status, answer) = read_response(&mut in_flight);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("inflight@example.com"), "{answer}");

    let exit = serve.wait();
    assert_eq!(exit.code(), Some(0), "{exit}");
}

#[test]
fn sigterm_with_a_stuck_request_exits_0_after_the_shutdown_timeout() {
    // The stuck request's own timeouts are far away: only the shutdown deadline ends it.
    let mut serve = Serve::start(
        &[
            "--shutdown-timeout",
            "1s",
            "--body-timeout",
            "5m",
            "--request-timeout",
            "5m",
        ],
        None,
    );
    let mut stuck = request_in_flight(&serve, r#"{"email_address":["stuck@example.com"]}"#);

    serve.sigterm();
    let exit = serve.wait();
    assert_eq!(exit.code(), Some(0), "{exit}");
    read_until_closed(&mut stuck);
}

#[test]
fn durations_must_be_positive_and_have_a_unit() {
    for (flag, value, says) in [
        ("--header-timeout", "0s", "must be longer than 0"),
        ("--body-timeout", "10", "10s"),
        ("--shutdown-timeout", "soon", "10s"),
        ("--max-connections", "0", "1.."),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_clerk"))
            .args(["serve", "--listen", "127.0.0.1:0", flag, value])
            .env("CLERK_SECRET_KEY", SECRET_KEY)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
    }
}

#[test]
fn header_timeout_and_max_connections_reach_the_server() {
    let serve = Serve::start(&["--header-timeout", "1s", "--max-connections", "1"], None);
    // The one slot is taken by a connection that sends nothing...
    let mut silent = serve.connect();
    // ...so this one waits in the backlog until the header timeout closes the first.
    let mut waiting = serve.connect();
    let (status, body) = ping(&mut waiting);
    assert_eq!((status, body.as_str()), (200, r#"{"object":"pong"}"#));
    read_until_closed(&mut silent);
}

/// The issue's reproduction: with 256 descriptors, 300 connections that send nothing used to
/// leave no descriptor for anyone else, for ever. Now the cap (256 − 64 = 192) keeps them from
/// exhausting descriptors, the header timeout closes them, and a real request is served.
#[test]
fn stalled_connections_past_the_descriptor_limit_wait_instead_of_starving_the_server() {
    let mut serve = Serve::start(&["--header-timeout", "1s"], Some(256));
    let stalled: Vec<TcpStream> = (0..300).map(|_| serve.connect()).collect();
    let mut client = serve.connect();
    let (status, _) = ping(&mut client);
    assert_eq!(status, 200);
    assert!(serve.server.try_wait().is_none(), "clerk serve died");
    drop(stalled);
    // And it still shuts down cleanly.
    serve.sigterm();
    assert_eq!(serve.wait().code(), Some(0));
}
