/// Where a probe's packets leave the machine: an interface (`eth0`, `wwan0`) and/or a source address.
///
/// Binding is how the dedicated line and the 4G backup are measured separately from one machine.
public struct Binding: Hashable, Sendable {
    public var interface: String?
    public var sourceAddress: String?

    public init(interface: String? = nil, sourceAddress: String? = nil) {
        self.interface = interface
        self.sourceAddress = sourceAddress
    }

    /// No binding: the kernel's routing decides.
    public static let none = Binding()

    public var isEmpty: Bool { interface == nil && sourceAddress == nil }
}

/// Which IP version a probe should use when a name has both.
public enum IPPreference: String, Hashable, Sendable, CaseIterable {
    case any, ipv4, ipv6
}
