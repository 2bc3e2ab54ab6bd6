import Foundation
import Storage
import SwiftCSV
import WatchModel

/// The site registry as CSV, the way a province keeps it in a spreadsheet: one office a row,
/// a header naming the columns (code and name required), UTF-8 with Vietnamese diacritics.
public enum SiteRegistryCSV {
    public static let columns = ["code", "name", "kind", "district", "province", "latitude", "longitude", "upstream", "team", "contacts"]

    /// Every site of `text`, or an error naming the source, the row and what is wrong; nothing
    /// is imported unless every row is sound.
    public static func sites(from text: String, source: String) throws(ImportError) -> [Site] {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(string: text, delimiter: .comma) } catch {
            throw ImportError("\(source): not CSV: \(error)")
        }
        for required in ["code", "name"] where !csv.header.contains(required) {
            throw ImportError("\(source): the header has no '\(required)' column (columns: \(columns.joined(separator: ",")))")
        }
        if let unknown = csv.header.first(where: { !columns.contains($0) }) {
            throw ImportError("\(source): unknown column '\(unknown)' (columns: \(columns.joined(separator: ",")))")
        }
        var sites: [Site] = [], seen = Set<String>()
        for (index, row) in csv.rows.enumerated() {
            let where_ = "\(source) row \(index + 2)"
            var object: [String: Any] = row.filter { !$0.value.isEmpty }
            for coordinate in ["latitude", "longitude"] {
                guard let text = row[coordinate], !text.isEmpty else { continue }
                guard let value = Double(text) else { throw ImportError("\(where_): '\(coordinate)' = '\(text)' is not a number") }
                object[coordinate] = value
            }
            do {
                let site = try SiteFields.site(from: object)
                guard seen.insert(site.code).inserted else { throw ImportError("\(where_): code '\(site.code)' appears twice") }
                sites.append(site)
            } catch let refusal as Refusal {
                throw ImportError("\(where_): \(refusal.message)")
            } catch let error as ImportError {
                throw error
            } catch {
                throw ImportError("\(where_): \(error)")
            }
        }
        return sites
    }

    /// Reads `path` and upserts its sites into `access`; returns how many.
    public static func importFile(_ path: String, into access: any AccessStore) async throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("\(path): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw ImportError("\(path): not UTF-8 text") }
        let sites = try sites(from: text, source: path)
        for site in sites { try await access.upsert(site) }
        return sites.count
    }

    /// The registry as CSV with every column, quoted where a field needs it.
    public static func text(_ sites: [Site]) -> String {
        func field(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        var out = columns.joined(separator: ",") + "\n"
        for s in sites {
            out += [s.code, s.name, s.kind.rawValue, s.district, s.province, s.latitude.map { "\($0)" } ?? "",
                    s.longitude.map { "\($0)" } ?? "", s.upstream, s.team, s.contacts].map(field).joined(separator: ",") + "\n"
        }
        return out
    }
}

/// A site list that cannot be imported, and why.
public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
