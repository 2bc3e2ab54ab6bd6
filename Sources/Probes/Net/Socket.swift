#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a socket descriptor: closed in `deinit`, errno turned into `SocketError` here.
final class Socket {
    let fd: Int32
    let family: Int32

    init(family: Int32, type: Int32, protocol proto: Int32) throws(SocketError) {
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), proto)
        guard fd >= 0 else { throw SocketError(call: "socket", errno: errno) }
        self.fd = fd
        self.family = family
    }

    deinit { close(fd) }

    /// Applies an interface and/or source address binding (SO_BINDTODEVICE needs CAP_NET_RAW).
    func apply(_ binding: Binding, port: UInt16 = 0) throws(ProbeFailure) {
        if let name = binding.interface {
            let rc = name.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
            if rc != 0 {
                let err = errno
                if err == ENODEV {
                    throw ProbeFailure(.interfaceUnavailable, "interface \(name) does not exist")
                }
                if err == EPERM {
                    throw ProbeFailure(.missingCapability, "binding to interface \(name) needs root or CAP_NET_RAW")
                }
                throw ProbeFailure(.interfaceUnavailable, "cannot bind to interface \(name): \(SocketError.text(err))")
            }
        }
        if let source = binding.sourceAddress {
            guard let address = SocketAddress(numeric: source, port: port) else {
                throw ProbeFailure(.badTarget, "source address \(source) is not a numeric IPv4 or IPv6 address")
            }
            guard address.family == family else {
                throw ProbeFailure(.badTarget, "source address \(source) is not of the target's IP version")
            }
            let rc = address.withSockAddr { bind(fd, $0, $1) }
            if rc != 0 {
                throw ProbeFailure(.interfaceUnavailable, "cannot use source address \(source): \(SocketError.text(errno))")
            }
        }
    }

    func setOption(level: Int32, name: Int32, value: Int32) {
        var copy = value
        _ = setsockopt(fd, level, name, &copy, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until the socket is ready for `events` or `deadline` (monotonic ns) passes; true when ready.
    func wait(for events: Int16, until deadline: UInt64) -> Bool {
        while true {
            let now = MonotonicClock.nanoseconds()
            if now >= deadline { return false }
            let remaining = deadline - now
            // poll takes milliseconds: round up so we never spin just short of the deadline.
            let millis = Int32(min((remaining + 999_999) / 1_000_000, UInt64(Int32.max)))
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&pfd, 1, millis)
            if rc > 0 { return true }
            if rc < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }

    /// The pending error of a non-blocking connect (SO_ERROR), 0 when none.
    func pendingError() -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }
}

/// A failed system call on a socket, with the errno it returned.
struct SocketError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String { "\(call): \(Self.text(errno))" }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The probe failure a user should see for this errno.
    func failure(target: String) -> ProbeFailure {
        switch errno {
        case ECONNREFUSED: return ProbeFailure(.refused, "\(target) refused the connection")
        case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN:
            return ProbeFailure(.unreachable, "\(target) is unreachable (\(Self.text(errno)))")
        case ETIMEDOUT: return ProbeFailure(.timeout, "\(target) did not answer in time")
        case EPERM, EACCES:
            return ProbeFailure(.missingCapability, "\(call) was not permitted (\(Self.text(errno)))")
        default: return ProbeFailure(.internalError, "\(target): \(description)")
        }
    }
}

/// Monotonic time for measuring intervals.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Wall-clock time in nanoseconds, the clock kernel receive stamps (SO_TIMESTAMPNS) use.
    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
