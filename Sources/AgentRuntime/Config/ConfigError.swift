/// A rejected configuration: the file (or command-line target), the line, and what was expected.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// File path, or the ad-hoc target as typed.
    public var source: String
    /// 1-based line; 0 when the source has no lines (a command-line target).
    public var line: Int
    public var message: String

    public init(source: String, line: Int, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(source):\(line): \(message)" : "\(source): \(message)"
    }
}
