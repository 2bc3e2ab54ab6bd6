/// A label set as the stores keep it: a JSON object with sorted keys, so equal label sets are
/// equal text (the agent's spool and the collector's series table both index on it).
public enum LabelText {
    public static func encode(_ labels: [Label]) -> String {
        JSONWriter.object(labels.sorted().map { ($0.name, JSONWriter.quote($0.value)) })
    }

    public static func encode(_ labels: [String: String]) -> String {
        encode(labels.map { Label(name: $0.key, value: $0.value) })
    }

    /// The labels of stored text; anything that is not such an object reads as no labels.
    public static func decode(_ text: String) -> [String: String] {
        guard case let .object(members)? = try? JSONValue.parse(text) else { return [:] }
        return members.compactMapValues(\.string)
    }
}
