import Foundation
import Yams

/// The routing file (`alerts/routing.yml`) in YAML, in a shape Alertmanager users recognise:
/// `receivers:`, `people:`, `teams:`, `schedules:` and a `route:` tree. Names are checked
/// against each other at load; every error names the file, the line and what was expected.
public enum RoutingFile {
    static let topKeys = ["receivers", "people", "teams", "schedules", "route"]

    public static func load(path: String) throws(RoutingFileError) -> RoutingConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RoutingFileError("\(path): cannot read it as UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// nil when there is no file at `path`: the collector then sends every notice to every
    /// receiver (`Dispatcher.broadcast`). A file that is there but wrong is an error.
    public static func loadIfPresent(path: String) throws(RoutingFileError) -> RoutingConfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try load(path: path)
    }

    public static func parse(_ text: String, source: String) throws(RoutingFileError) -> RoutingConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                throw RoutingFileError("\(source):\(mark.line): not YAML: \(problem)" + (context.map { " \($0.text)" } ?? ""))
            default:
                throw RoutingFileError("\(source): not YAML: \(error)")
            }
        } catch {
            throw RoutingFileError("\(source): not YAML: \(error)")
        }
        var reader = RoutingFileReader(source: source)
        guard let root, root.mapping != nil else { throw reader.fail(root, "expected a mapping with \(topKeys.map { "'\($0):'" }.joined(separator: ", "))") }
        let top = try reader.mapping(root, "the routing file", keys: topKeys)
        // In this order whatever the file's: each part names things of the parts before it.
        for node in try reader.items(top["receivers"], "receivers") { reader.receivers.append(try reader.receiver(node)) }
        for node in try reader.items(top["people"], "people") { reader.people.append(try reader.person(node)) }
        for node in try reader.items(top["schedules"], "schedules") { reader.schedules.append(try reader.schedule(node)) }
        for node in try reader.items(top["teams"], "teams") { reader.teams.append(try reader.team(node)) }
        try reader.checkCoverage()
        guard let routeNode = top["route"] else { throw reader.fail(root, "the routing file needs 'route:' (the root of the routing tree)") }
        let route = try reader.route(routeNode, parent: nil, id: "route")
        return RoutingConfig(receivers: reader.receivers, people: reader.people, teams: reader.teams, schedules: reader.schedules, route: route)
    }
}

/// A routing file that cannot be used, with file and line.
public struct RoutingFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reads the parts of a routing file in order, so that later parts can check the names of earlier ones.
struct RoutingFileReader {
    let source: String
    var receivers: [ReceiverSpec] = []
    var people: [Person] = []
    var schedules: [Schedule] = []
    var teams: [Team] = []

    func fail(_ node: Node?, _ message: String) -> RoutingFileError {
        RoutingFileError("\(source):\(node?.mark?.line ?? 1): \(message)")
    }

    func origin(_ node: Node) -> String { "\(source):\(node.mark?.line ?? 1)" }

    /// A mapping whose keys are all among `keys` (nil keys: any).
    func mapping(_ node: Node, _ what: String, keys: [String]?) throws(RoutingFileError) -> Node.Mapping {
        guard let map = node.mapping else {
            throw fail(node, "\(what) must be a mapping" + (keys.map { " (keys: \($0.joined(separator: ", ")))" } ?? ""))
        }
        if let keys {
            for (key, _) in map where !keys.contains(key.string ?? "") {
                throw fail(key, "unknown key '\(key.string ?? "?")' in \(what) (keys: \(keys.joined(separator: ", ")))")
            }
        }
        return map
    }

    func items(_ node: Node?, _ key: String) throws(RoutingFileError) -> [Node] {
        guard let node else { return [] }
        guard let items = node.sequence else { throw fail(node, "'\(key)' must be a list") }
        return Array(items)
    }

    func text(_ node: Node?, _ what: String) throws(RoutingFileError) -> String? {
        guard let node else { return nil }
        guard node.scalar != nil, let text = node.string else { throw fail(node, "\(what) must be text") }
        return text
    }

    func name(_ map: Node.Mapping, of node: Node, _ what: String) throws(RoutingFileError) -> String {
        guard let name = try text(map["name"], "'name'"), !name.isEmpty else { throw fail(node, "\(what) needs 'name'") }
        return name
    }

    func strings(_ node: Node?, _ what: String) throws(RoutingFileError) -> [String] {
        guard let node else { return [] }
        guard let items = node.sequence else { throw fail(node, "\(what) must be a list such as [a, b]") }
        var out: [String] = []
        for item in items {
            guard item.scalar != nil, let text = item.string, !text.isEmpty else { throw fail(item, "\(what) must be a list of names") }
            out.append(text)
        }
        return out
    }

    func duration(_ node: Node?, _ key: String, never: Bool = false) throws(RoutingFileError) -> Int64?? {
        guard let node else { return .none }
        let expected = "'\(key)' must be a duration such as 30s, 5m, 4h, 7d" + (never ? " or 'never'" : "")
        guard node.scalar != nil, let text = node.string else { throw fail(node, expected) }
        if never && text == "never" { return .some(nil) }
        do { return .some(try RuleExpression.duration(text)) } catch { throw fail(node, "\(expected), found '\(text)'") }
    }

    func bool(_ node: Node?, _ key: String) throws(RoutingFileError) -> Bool? {
        guard let node else { return nil }
        switch node.string {
        case "true"?: return true
        case "false"?: return false
        default: throw fail(node, "'\(key)' must be true or false")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ key: String, _ type: T.Type) throws(RoutingFileError) -> T?
        where T.RawValue == String {
        guard let node else { return nil }
        guard let value = node.string.flatMap(T.init(rawValue:)) else {
            throw fail(node, "'\(key)' is one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Each name in `names` (read from `node`) must be one of `known`.
    func check(_ names: [String], in node: Node?, are what: String, known: [String]) throws(RoutingFileError) {
        for name in names where !known.contains(name) {
            throw fail(node, "unknown \(what) '\(name)'" + (known.isEmpty ? " (none is defined)" : " (known: \(known.joined(separator: ", ")))"))
        }
    }

    // MARK: receivers, people, teams

    func receiver(_ node: Node) throws(RoutingFileError) -> ReceiverSpec {
        let map = try mapping(node, "a receiver", keys: nil)
        let name = try name(map, of: node, "a receiver")
        guard !receivers.contains(where: { $0.name == name }) else { throw fail(node, "receiver '\(name)' is defined twice") }
        guard let kind = try choice(map["kind"], "kind", ReceiverSpec.Kind.self) else {
            throw fail(node, "receiver '\(name)' needs 'kind' (one of \(ReceiverSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var settings: [String: String] = [:]
        for (key, value) in map {
            guard let k = key.string, k != "name", k != "kind" else { continue }
            guard let v = try text(value, "receiver setting '\(k)'") else { continue }
            settings[k] = v
        }
        return ReceiverSpec(name: name, kind: kind, settings: settings, origin: origin(node))
    }

    func person(_ node: Node) throws(RoutingFileError) -> Person {
        let map = try mapping(node, "a person", keys: ["name", "email", "phone", "telegram"])
        let name = try name(map, of: node, "a person")
        guard !people.contains(where: { $0.name == name }) else { throw fail(node, "person '\(name)' is defined twice") }
        return Person(name: name, email: try text(map["email"], "'email'"), phone: try text(map["phone"], "'phone'"),
                      telegram: try text(map["telegram"], "'telegram'"))
    }

    func team(_ node: Node) throws(RoutingFileError) -> Team {
        let map = try mapping(node, "a team", keys: ["name", "districts", "sites", "members", "receivers", "schedule", "lead"])
        let name = try name(map, of: node, "a team")
        guard !teams.contains(where: { $0.name == name }) else { throw fail(node, "team '\(name)' is defined twice") }
        let members = try strings(map["members"], "'members'")
        try check(members, in: map["members"], are: "person", known: people.map(\.name))
        let receiverNames = try strings(map["receivers"], "'receivers'")
        try check(receiverNames, in: map["receivers"], are: "receiver", known: receivers.map(\.name))
        let scheduleName = try text(map["schedule"], "'schedule'")
        try check(scheduleName.map { [$0] } ?? [], in: map["schedule"], are: "schedule", known: schedules.map(\.name))
        let lead = try text(map["lead"], "'lead'")
        try check(lead.map { [$0] } ?? [], in: map["lead"], are: "person", known: people.map(\.name))
        let districts = try strings(map["districts"], "'districts'"), sites = try strings(map["sites"], "'sites'")
        guard !districts.isEmpty || !sites.isEmpty else { throw fail(node, "team '\(name)' needs 'districts' or 'sites' (what it covers)") }
        return Team(name: name, districts: Set(districts), sites: Set(sites), members: members, receivers: receiverNames,
                    schedule: scheduleName, lead: lead, origin: origin(node))
    }

    /// A site or district covered by two teams would make the team of a notice depend on their order.
    func checkCoverage() throws(RoutingFileError) {
        for (i, team) in teams.enumerated() {
            for other in teams[..<i] {
                if let site = team.sites.intersection(other.sites).sorted().first {
                    throw RoutingFileError("\(team.origin): site '\(site)' is covered by team '\(other.name)' (\(other.origin)) and team '\(team.name)'")
                }
                if let district = team.districts.intersection(other.districts).sorted().first {
                    throw RoutingFileError("\(team.origin): district '\(district)' is covered by team '\(other.name)' (\(other.origin)) and team '\(team.name)'")
                }
            }
        }
    }
}
