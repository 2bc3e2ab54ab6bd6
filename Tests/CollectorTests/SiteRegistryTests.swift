import Foundation
import Testing
import TestSupport

/// The province's site list in and out as CSV, by command line and API, with Vietnamese names.
@Suite(.ownThread) struct SiteRegistryTests {
    let list = """
        code,name,kind,district,province,latitude,longitude,upstream,team,contacts
        QNG-TINHKHE,Xã Tịnh Khê,commune,Sơn Tịnh,Quảng Ngãi,15.1731,108.8547,POP Sơn Tịnh,Đội 1,"Anh Nguyễn Văn A, 0905 000 111"
        QNG-LYSON,Đặc khu Lý Sơn,special_zone,,Quảng Ngãi,15.38,109.12,POP Lý Sơn,Đội 2,
        QNG-NGHIALO,Phường Nghĩa Lộ,ward,TP Quảng Ngãi,Quảng Ngãi,,,POP Trung tâm,Đội 1,"chị B ""trực"" 24/7"

        """

    @Test(arguments: Backend.allCases) func importedByCommandLineAndExportedAgain(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let file = collector.data + "/sites.csv"
        try list.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try run(try collectorBinary(), ["sites", "import", file] + collector.storeOptions)
        #expect(imported.status == 0 && imported.stdout.contains("imported 3 sites"), "\(imported.stdout) \(imported.stderr)")
        let exported = try run(try collectorBinary(), ["sites", "export"] + collector.storeOptions)
        // The same rows (sorted by code), quoting and diacritics intact.
        #expect(exported.stdout.split(separator: "\n").sorted() == list.split(separator: "\n").sorted(), "round trip:\n\(exported.stdout)")
        let sites = try collector.request("GET", "/api/v1/admin/sites", token: collector.adminToken)
        let lySon = (sites.json["sites"] as? [[String: Any]])?.first { $0["code"] as? String == "QNG-LYSON" }
        #expect(lySon?["name"] as? String == "Đặc khu Lý Sơn" && lySon?["kind"] as? String == "special_zone")
        let token = try run(try collectorBinary(), ["token", "--site", "QNG-LYSON"] + collector.storeOptions)
        #expect(token.status == 0 && token.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
        let enrolled = try collector.json("POST", "/api/v1/enroll", ["token": token.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "hostname": "pc"])
        #expect(enrolled.status == 201 && enrolled.json["site"] as? String == "QNG-LYSON")
    }

    @Test(arguments: Backend.allCases) func aBadRowIsNamedAndNothingIsImported(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let bad = list.replacingOccurrences(of: "ward,TP", with: "village,TP")
        let reply = try collector.request("POST", "/api/v1/admin/sites/import", token: collector.adminToken, body: Array(bad.utf8),
                                          headers: ["Content-Type: text/csv"])
        #expect(reply.status == 422 && (reply.json["error"] as? String)?.contains("row 4") == true
                && (reply.json["error"] as? String)?.contains("village") == true, "\(reply.body)")
        let sites = try collector.request("GET", "/api/v1/admin/sites", token: collector.adminToken)
        #expect((sites.json["sites"] as? [Any])?.isEmpty == true, "a list with a bad row imports nothing")
        let file = collector.data + "/bad.csv"
        try "code,name,colour\nX,Y,red\n".write(toFile: file, atomically: true, encoding: .utf8)
        let cli = try run(try collectorBinary(), ["sites", "import", file] + collector.storeOptions)
        #expect(cli.status != 0 && cli.stderr.contains("unknown column 'colour'"), "\(cli.stderr)")
        let good = try collector.request("POST", "/api/v1/admin/sites/import", token: collector.adminToken, body: Array(list.utf8))
        #expect(good.status == 200 && good.json["imported"] as? Int == 3, "\(good.body)")
    }
}
