import Foundation
import Yams

/// Alert rules in YAML, in the shape of a Prometheus rule file (`groups:` → `rules:` → `alert`,
/// `expr`, `for`, `labels`, `annotations`) plus `resolve` (the hysteresis threshold) and
/// `severity`. Every error names the file, the line and what was expected.
public enum RuleFile {
    static let ruleKeys: Set<String> = ["alert", "expr", "resolve", "for", "severity", "labels", "annotations", "resolve_hold", "flap_changes",
                                        "flap_window", "settle_after", "inhibits", "group_by"]

    public static func load(path: String) throws(RuleFileError) -> [AlertRule] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError("\(path): cannot read it as UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Every `*.yml` / `*.yaml` file of a directory but the routing files (`routing*.yml`), in name order; alert names unique across them.
    public static func loadDirectory(_ directory: String) throws(RuleFileError) -> [AlertRule] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { ($0.hasSuffix(".yml") || $0.hasSuffix(".yaml")) && !$0.hasPrefix("routing") }.sorted()
        var rules: [AlertRule] = []
        var seen: [String: String] = [:]
        for name in names {
            let path = directory + "/" + name
            for rule in try load(path: path) {
                if let other = seen[rule.name] { throw RuleFileError("\(path): alert '\(rule.name)' is also defined in \(other)") }
                seen[rule.name] = path
                rules.append(rule)
            }
        }
        for rule in rules {
            for target in rule.inhibits.sorted() where seen[target] == nil {
                throw RuleFileError("\(seen[rule.name] ?? directory): alert '\(rule.name)' inhibits '\(target)', which no rule defines")
            }
        }
        return rules
    }

    public static func parse(_ text: String, source: String) throws(RuleFileError) -> [AlertRule] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                throw RuleFileError("\(source):\(mark.line): not YAML: \(problem)" + (context.map { " \($0.text)" } ?? ""))
            default:
                throw RuleFileError("\(source): not YAML: \(error)")
            }
        } catch {
            throw RuleFileError("\(source): not YAML: \(error)")
        }
        func fail(_ node: Node?, _ message: String) -> RuleFileError {
            RuleFileError("\(source):\(node?.mark?.line ?? 1): \(message)")
        }
        guard let root, let top = root.mapping else { throw fail(root, "expected a mapping with 'groups:'") }
        var rules: [AlertRule] = []
        for (key, value) in top {
            guard key.string == "groups" else { throw fail(key, "unknown key '\(key.string ?? "?")' (expected 'groups')") }
            guard let groups = value.sequence else { throw fail(value, "'groups' must be a list") }
            for group in groups {
                guard let g = group.mapping else { throw fail(group, "a group must be a mapping with 'name' and 'rules'") }
                let name = g["name"]?.string ?? ""
                for (k, _) in g where !["name", "rules"].contains(k.string ?? "") {
                    throw fail(k, "unknown key '\(k.string ?? "?")' in a group (keys: name, rules)")
                }
                guard let list = g["rules"]?.sequence else { throw fail(group, "group '\(name)' needs a 'rules' list") }
                for node in list {
                    let rule = try parseRule(node, group: name, fail: fail)
                    if rules.contains(where: { $0.name == rule.name }) { throw fail(node, "alert '\(rule.name)' is defined twice") }
                    rules.append(rule)
                }
            }
        }
        return rules
    }

    static func parseRule(_ node: Node, group: String, fail: (Node?, String) -> RuleFileError) throws(RuleFileError) -> AlertRule {
        guard let m = node.mapping else { throw fail(node, "a rule must be a mapping with 'alert' and 'expr'") }
        for (k, _) in m where !ruleKeys.contains(k.string ?? "") {
            throw fail(k, "unknown key '\(k.string ?? "?")' in a rule (keys: \(ruleKeys.sorted().joined(separator: ", ")))")
        }
        guard let name = m["alert"]?.string, !name.isEmpty else { throw fail(node, "a rule needs 'alert: NAME'") }
        guard let exprNode = m["expr"], let exprText = exprNode.string else { throw fail(node, "alert '\(name)' needs 'expr'") }
        let expression: RuleExpression
        do { expression = try RuleExpression.parse(exprText) } catch { throw fail(exprNode, "alert '\(name)': expr: \(error.message)") }

        func duration(_ key: String) throws(RuleFileError) -> Int64? {
            guard let n = m[key] else { return nil }
            guard let text = n.string else { throw fail(n, "'\(key)' must be a duration such as 30s, 5m, 1h") }
            do { return try RuleExpression.duration(text) } catch { throw fail(n, "'\(key)': \(error.message)") }
        }
        func strings(_ key: String) throws(RuleFileError) -> [String: String] {
            guard let n = m[key] else { return [:] }
            guard let map = n.mapping else { throw fail(n, "'\(key)' must be a mapping of names to text") }
            var out: [String: String] = [:]
            for (k, v) in map {
                guard let name = k.string, let text = v.string else { throw fail(k, "'\(key)' values must be text") }
                out[name] = text
            }
            return out
        }
        var resolve = expression.threshold
        if let n = m["resolve"] {
            guard let text = n.string, let value = Double(text) else { throw fail(n, "'resolve' must be a number (where the value must come back to)") }
            let wrongSide = switch expression.comparison {
            case .above, .atLeast: value > expression.threshold
            case .below, .atMost: value < expression.threshold
            }
            if wrongSide {
                throw fail(n, "alert '\(name)': 'resolve' \(text) is on the alerting side of the threshold \(expression.threshold)")
            }
            resolve = value
        }
        var severity = AlertRule.Severity.warning
        if let n = m["severity"] {
            guard let s = n.string.flatMap(AlertRule.Severity.init(rawValue:)) else {
                throw fail(n, "'severity' is one of \(AlertRule.Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            severity = s
        }
        var policy = IncidentMachine.Policy()
        if let v = try duration("for") { policy.holdFor = v }
        if let v = try duration("resolve_hold") { policy.resolveHold = v }
        if let v = try duration("flap_window") { policy.flapWindow = v }
        if let v = try duration("settle_after") { policy.settleAfter = v }
        if let n = m["flap_changes"] {
            guard let v = n.string.flatMap(Int.init), v >= 2 else { throw fail(n, "'flap_changes' must be a whole number ≥ 2") }
            policy.flapChanges = v
        }
        var rule = AlertRule(name: name, group: group, expression: expression, resolveThreshold: resolve, policy: policy, severity: severity,
                             labels: try strings("labels"), annotations: try strings("annotations"))
        if let n = m["inhibits"] {
            guard let list = n.sequence, let names = Optional(list.compactMap(\.string)), names.count == list.count else {
                throw fail(n, "'inhibits' must be a list of alert names")
            }
            rule.inhibits = Set(names)
        }
        if let n = m["group_by"] {
            guard n.string == "upstream" else { throw fail(n, "'group_by' is 'upstream' (sites behind one upstream node told as one)") }
            rule.groupByUpstream = true
        }
        return rule
    }
}

/// A rule file that cannot be used, with file and line.
public struct RuleFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
