import Probes

/// The agent's version and the C libraries it runs on, for `--version` and bug reports.
public enum AgentVersion {
    public static let current = "0.1.0"
    public static var libraries: String { HTTPEngine.version }
}
