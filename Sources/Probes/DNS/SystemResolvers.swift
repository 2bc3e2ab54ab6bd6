/// The resolvers the system uses, from `/etc/resolv.conf` (Linux); a Windows build would read the registry.
public enum SystemResolvers {
    /// Nameserver addresses in file order; empty when none are configured.
    public static func list(resolvConf path: String = "/etc/resolv.conf") -> [String] {
        guard let text = TextFile.read(path, limit: 1 << 20) else { return [] }
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            return String(words[1])
        }
    }
}
