#if canImport(Glibc)
import Glibc
#endif

/// Runs a system tool (`mmcli`) with a deadline and captures its output, without Foundation.
public enum CommandRunner {
    /// A finished command: exit status and output.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Why a command could not be run.
    public enum Failure: Error, Sendable, Equatable {
        case notFound(String)
        case timedOut(String)
        case spawnFailed(String, Int32)
    }

    /// Runs `executable` (a path, or a name looked up in PATH) with `arguments`; blocking.
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration) throws(Failure) -> Output {
        guard let path = locate(executable) else { throw .notFound(executable) }
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw .spawnFailed(executable, errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw .spawnFailed(executable, errno)
        }
        // Other tools spawned at the same time must not inherit these pipes.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = argv.withUnsafeBufferPointer { args in
            posix_spawn(&pid, path, &actions, nil, UnsafeMutablePointer(mutating: args.baseAddress!), currentEnvironment())
        }
        close(outPipe[1]); close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        guard rc == 0 else { throw .spawnFailed(executable, rc) }

        let deadline = MonotonicClock.nanoseconds() + timeout.nanoseconds
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        var chunk = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else {
                kill(pid, SIGKILL)
                var ignored: Int32 = 0
                waitpid(pid, &ignored, 0)
                throw .timedOut(executable)
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    // Bounded: a runaway tool must not eat the agent's memory.
                    if entry.fd == outPipe[0] { if out.count < 4 << 20 { out += chunk[0..<n] } } else if err.count < 1 << 20 { err += chunk[0..<n] }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// The full path of `name`: itself when it contains a slash, else the first match in PATH.
    public static func locate(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func currentEnvironment() -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        // `environ` is process-wide and only read here, at spawn time.
        nonisolated(unsafe) let env = environ
        return env
    }
}
