import CLinux

/// Whether this PC's clock is synchronised (old PCs have dead CMOS batteries), in the kernel's view.
enum ClockSync {
    /// True when synchronised, false when not, nil when the kernel cannot tell.
    static func synchronised() -> Bool? {
        switch cw_clock_synchronised() {
        case 1: true
        case 0: false
        default: nil
        }
    }
}
