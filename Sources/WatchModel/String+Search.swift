extension Substring {
    /// The first occurrence of `needle`, compared scalar by scalar.
    ///
    /// The agent searches strings this way rather than with `_StringProcessing`'s `firstRange(of:)`,
    /// whose regex engine adds ~0.8 MB of code to the statically linked agent.
    public func firstOccurrence(of needle: String) -> Range<String.Index>? {
        let pattern = Array(needle.unicodeScalars)
        let haystack = unicodeScalars
        guard !pattern.isEmpty else { return startIndex..<startIndex }
        var start = haystack.startIndex
        while start != haystack.endIndex {
            var cursor = start, matched = 0
            while matched < pattern.count, cursor != haystack.endIndex, haystack[cursor] == pattern[matched] {
                cursor = haystack.index(after: cursor)
                matched += 1
            }
            if matched == pattern.count { return start..<cursor }
            start = haystack.index(after: start)
        }
        return nil
    }

    /// True when `needle` occurs in the text.
    public func includes(_ needle: String) -> Bool { firstOccurrence(of: needle) != nil }
}

extension String {
    /// The first occurrence of `needle`; see `Substring.firstOccurrence(of:)`.
    public func firstOccurrence(of needle: String) -> Range<String.Index>? { self[...].firstOccurrence(of: needle) }

    /// True when `needle` occurs in the text.
    public func includes(_ needle: String) -> Bool { self[...].includes(needle) }
}
