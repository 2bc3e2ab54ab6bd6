#if canImport(Glibc)
import Glibc
#endif

/// The language of human text: Vietnamese or English.
public enum Language: String, Sendable, CaseIterable {
    case vi, en

    /// Vietnamese when the locale says so (`LC_ALL`, `LC_MESSAGES`, `LANG` starting `vi`), else English.
    public static func fromEnvironment() -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty {
                return value.lowercased().hasPrefix("vi") ? .vi : .en
            }
        }
        return .en
    }

    /// Picks the text for this language.
    public func pick(_ en: String, _ vi: String) -> String { self == .vi ? vi : en }
}
