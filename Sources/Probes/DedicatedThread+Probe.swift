import Threads

extension DedicatedThread {
    /// Runs a blocking measurement on its own thread, keeping its typed `ProbeFailure`.
    static func measure<T: Sendable>(_ body: @escaping @Sendable () throws(ProbeFailure) -> T) async throws(ProbeFailure) -> T {
        do {
            return try await run { () throws -> T in try body() }
        } catch let failure as ProbeFailure {
            throw failure
        } catch {
            throw ProbeFailure(.internalError, "\(error)")
        }
    }
}
