//! One connection of the open model's tick-driven client (`tick_engine`): a non-blocking TCP
//! socket that the pacer writes a request to and, at a later tick, reads the response from. The
//! response's arrival is the kernel's receive timestamp of its last bytes (`SO_TIMESTAMPNS`), so
//! a latency does not depend on when the pacer looked.

use super::http1_client::ExchangeError;
use super::http1_reader::{Read, ReadBuffer, ResponseReader};
use http::HeaderName;
use socket2::{Domain, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

pub struct TickConn {
    socket: Socket,
    /// The origin it is connected to (an index of the engine's origins).
    pub origin: usize,
    /// The connection attempt has not completed yet.
    pub connecting: bool,
    received: ReadBuffer,
    /// The request being written; kept until its response begins, so that it can be sent once
    /// more on a new connection when this one turns out closed by the server.
    pub out: Vec<u8>,
    written: usize,
    reader: Option<ResponseReader>,
    /// Some byte of the current response has arrived.
    received_any: bool,
    /// Responses read whole on this connection.
    pub exchanges: u32,
    /// The server closed its side right after the last response.
    peer_closed: bool,
    /// When the last bytes read arrived, as the kernel stamped them (ns since the Unix epoch).
    pub last_arrival_ns: Option<i64>,
}

impl TickConn {
    /// Starts connecting to `address` (on loopback this usually completes at once).
    pub fn connect(address: SocketAddr, origin: usize) -> io::Result<TickConn> {
        let socket = Socket::new(Domain::for_address(address), Type::STREAM.nonblocking().cloexec(), None)?;
        socket.set_tcp_nodelay(true)?;
        receive_timestamps(socket.as_raw_fd())?;
        let connecting = match socket.connect(&address.into()) {
            Ok(()) => false,
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(e) => return Err(e),
        };
        Ok(TickConn {
            socket,
            origin,
            connecting,
            received: ReadBuffer::default(),
            out: Vec::new(),
            written: 0,
            reader: None,
            received_any: false,
            exchanges: 0,
            peer_closed: false,
            last_arrival_ns: None,
        })
    }

    pub fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// Called when a connecting socket became writable: `Err` when the attempt failed.
    pub fn connected(&mut self) -> io::Result<()> {
        if let Some(error) = self.socket.take_error()? {
            return Err(error);
        }
        self.connecting = false;
        Ok(())
    }

    /// Starts an exchange: the request in [`TickConn::out`] is to be written, then a response read.
    pub fn begin(&mut self, head_request: bool, keep_body: Option<usize>) {
        self.written = 0;
        self.reader = Some(ResponseReader::new(head_request, keep_body));
        self.received_any = false;
        self.last_arrival_ns = None;
    }

    /// Writes what is left of the request. `Ok(true)` once all of it is written.
    pub fn write(&mut self) -> Result<bool, ExchangeError> {
        while self.written < self.out.len() {
            match self.socket.send_with_flags(&self.out[self.written..], libc::MSG_NOSIGNAL) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(ExchangeError::Io { error, nothing_received: true }),
            }
        }
        Ok(true)
    }

    pub fn written(&self) -> bool {
        self.written == self.out.len()
    }

    /// Reads what has arrived. `Ok(Some(_))` once the response is whole; `Ok(None)` when more
    /// is to come. Reads until the socket is empty (the engine's epoll is edge-triggered: it
    /// tells of new bytes once): a read shorter than asked emptied it. Bytes or a close found
    /// after a whole response are kept for [`TickConn::clean`] to see.
    pub fn read(&mut self, recorded: &[HeaderName]) -> Result<Option<Read>, ExchangeError> {
        let Some(reader) = self.reader.as_mut() else {
            return Err(ExchangeError::Protocol("the server sent data that was not asked for".into()));
        };
        let mut done = false;
        loop {
            let room = self.received.room().map_err(|e| ExchangeError::Protocol(e.to_string()))?;
            let asked = room.len();
            match receive(self.socket.as_raw_fd(), room) {
                Ok((0, _)) if done => {
                    self.peer_closed = true;
                    break;
                }
                Ok((0, _)) if reader.ends_at_close() => break,
                Ok((0, _)) => return Err(ExchangeError::Closed { nothing_received: !self.received_any }),
                Ok((n, _)) if done => {
                    // Bytes after the response, not asked for: `clean` will say so.
                    self.received.filled(n);
                    break;
                }
                Ok((n, arrival)) => {
                    self.received.filled(n);
                    self.received_any = true;
                    self.last_arrival_ns = arrival.or(self.last_arrival_ns);
                    let used;
                    (used, done) = reader.feed(self.received.unread(), recorded).map_err(ExchangeError::Protocol)?;
                    self.received.consume(used);
                    // A short read emptied the socket; bytes left after the response are not
                    // clean already. Otherwise one more read looks for what may remain.
                    if done && (n < asked || !self.received.unread().is_empty()) {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && done => break,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(ExchangeError::Io { error, nothing_received: !self.received_any }),
            }
        }
        self.exchanges += 1;
        self.out.clear();
        Ok(self.reader.take().and_then(ResponseReader::finish))
    }

    /// No bytes beyond the last response: the connection can carry another request.
    pub fn clean(&self) -> bool {
        self.received.unread().is_empty() && !self.peer_closed
    }
}

/// Asks the kernel to stamp each received packet with its arrival time.
fn receive_timestamps(fd: RawFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `on` outlives the call and its size is passed with it.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// One non-blocking `recvmsg`: the bytes read and the arrival time of the last of them, when
/// the kernel stamped it.
fn receive(fd: RawFd, into: &mut [u8]) -> io::Result<(usize, Option<i64>)> {
    let mut iov = libc::iovec { iov_base: into.as_mut_ptr().cast(), iov_len: into.len() };
    // Room for one `timespec` control message, aligned for `cmsghdr`.
    let mut control = [0u64; 8];
    // SAFETY: an all-zero msghdr is valid; the pointers set below point into live locals.
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: `message` describes `into` and `control`, both valid for writes of their lengths.
    let n = unsafe { libc::recvmsg(fd, &mut message, libc::MSG_DONTWAIT) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut arrival = None;
    // SAFETY: the CMSG_* helpers walk the control buffer the kernel filled, within
    // `msg_controllen`; the data of a SCM_TIMESTAMPNS message is one `timespec`.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_SOCKET && (*header).cmsg_type == libc::SCM_TIMESTAMPNS {
                let stamp = std::ptr::read_unaligned(libc::CMSG_DATA(header).cast::<libc::timespec>());
                arrival = Some(stamp.tv_sec as i64 * 1_000_000_000 + stamp.tv_nsec as i64);
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    Ok((n as usize, arrival))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn wall_ns() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_nanos() as i64
    }

    #[test]
    fn a_response_is_stamped_when_it_arrives_not_when_it_is_read() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut conn = TickConn::connect(listener.local_addr().expect("addr"), 0).expect("connect");
        let (mut server, _) = listener.accept().expect("accept");
        conn.connected().expect("connected");
        conn.out.extend_from_slice(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n");
        conn.begin(false, Some(16));
        assert!(conn.write().unwrap_or_else(|_| panic!("write failed")));
        let mut request = [0u8; 64];
        let n = server.read(&mut request).expect("request");
        assert_eq!(&request[..n], b"GET / HTTP/1.1\r\nhost: x\r\n\r\n");

        let before_reply = wall_ns();
        server.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").expect("reply");
        let after_reply = wall_ns();
        std::thread::sleep(Duration::from_millis(100));
        let read = loop {
            match conn.read(&[]) {
                Ok(Some(read)) => break read,
                Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                Err(_) => panic!("the response could not be read"),
            }
        };
        assert_eq!((read.head.code, read.bytes_in, read.body.as_deref()), (200, 2, Some(&b"ok"[..])));
        let arrival = conn.last_arrival_ns.expect("the kernel stamps received packets");
        assert!(
            (before_reply..=after_reply).contains(&arrival),
            "arrival {arrival} is not within the write ({before_reply}..={after_reply}), though read 100 ms later"
        );
        assert!(conn.clean() && conn.exchanges == 1);
    }

    #[test]
    fn a_refused_connection_is_an_error_at_once_or_when_it_completes() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
        match TickConn::connect(closed, 0) {
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused),
            Ok(mut conn) => {
                std::thread::sleep(Duration::from_millis(50));
                let e = conn.connected().expect_err("refused");
                assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
            }
        }
    }
}
