import Foundation
import Testing
import TestSupport

/// `commune-agent check` as a focal point runs it: the real binary against real peers.
@Suite(.ownThread) struct CheckCommandTests {
    func agent(_ arguments: [String], environment: [String: String] = ["LANG": "C"]) throws -> (status: Int32, stdout: String, stderr: String) {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LC_ALL")
        env.removeValue(forKey: "LC_MESSAGES")
        for (k, v) in environment { env[k] = v }
        return try run(try agentBinary(), arguments, timeout: 60, environment: env)
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    @Test func jsonHasTheDocumentedFieldsForEveryKind() throws {
        let https = try HTTPSPeer.shared.get(), dns = try DNSPeer.shared.get()
        let loopbackICMP = runningAsRoot ? ["icmp://127.0.0.1?count=3&spacing=10ms"] : []
        let result = try agent(["check", "--json"] + loopbackICMP + [
            "tcp://127.0.0.1:\(https.http)",
            "dns://127.0.0.1:\(dns.port)/portal.ok.test",
            "https://127.0.0.1:\(https.https)/ok#ca_file=\(https.caFile)&path=dedicated",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let all = try jsonLines(result.stdout)
        let lines = all.filter { $0["kind"] as? String != "path" }
        #expect(lines.count == loopbackICMP.count + 3)
        // One summary line per network path: the https probe ran over "dedicated", the others over "default".
        let paths = all.filter { $0["kind"] as? String == "path" }
        #expect(paths.map { $0["path"] as? String } == ["default", "dedicated"])
        #expect((paths.last?["metrics"] as? [String: Double])?[#"probe_path_up{path="dedicated"}"#] == 1)
        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        for line in lines {
            for key in ["kind", "target", "path", "ok", "error", "metrics", "facts"] {
                #expect(line[key] != nil, "missing \(key) in \(line)")
            }
            #expect(line["ok"] as? Bool == true)
            #expect(line["error"] is NSNull)
            let metrics = try #require(line["metrics"] as? [String: Double])
            #expect(metrics["probe_success"] == 1)
            for name in metrics.keys {
                let bare = String(name.prefix { $0 != "{" })
                #expect(docs.contains("| `\(bare)` |"), "\(bare) not in docs/metrics.md")
            }
        }
        let http = try #require(lines.last)
        #expect(http["path"] as? String == "dedicated")
        let facts = try #require(http["facts"] as? [String: String])
        #expect(facts["tls_issuer"]?.contains("CommuneWatch Test CA") == true)
        #expect(facts["http_version"] != nil)
        let metrics = try #require(http["metrics"] as? [String: Double])
        #expect(metrics[#"probe_http_duration_seconds{phase="tls"}"#] != nil)
        if runningAsRoot {
            let rtts = try #require(lines[0]["rtts"] as? [Any])
            #expect(rtts.count == 3)
        }
    }

    @Test func failedCriticalProbeExitsOneWithADiagnosis() throws {
        let dns = try DNSPeer.shared.get()
        let https = try HTTPSPeer.shared.get()
        let result = try agent(["check", "tcp://127.0.0.1:\(https.http)?role=gateway",
                                "dns://127.0.0.1:\(dns.port)/x.silent.test?timeout=300ms"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("Diagnosis: The gateway answers but the DNS resolver 127.0.0.1:\(dns.port) does not: check the DNS setting."), "\(result.stdout)")
        #expect(result.stdout.contains("FAILED"))
    }

    @Test func nonCriticalFailureStillExitsZero() throws {
        let https = try HTTPSPeer.shared.get()
        let result = try agent(["check", "--json", "https://127.0.0.1:\(https.expired)/ok#ca_file=\(https.caFile)&critical=false"])
        #expect(result.status == 0)
        let line = try #require(try jsonLines(result.stdout).first)
        #expect(line["ok"] as? Bool == false)
        #expect(line["error_kind"] as? String == "tls_certificate_expired")
        #expect((line["error"] as? String)?.contains("expired") == true)
    }

    @Test func vietnameseFromTheLocaleOrTheFlag() throws {
        let https = try HTTPSPeer.shared.get()
        let target = "https://127.0.0.1:\(https.expired)/ok#ca_file=\(https.caFile)"
        let byLocale = try agent(["check", target], environment: ["LANG": "vi_VN.UTF-8"])
        #expect(byLocale.stdout.contains("Chẩn đoán: Chứng chỉ TLS của 127.0.0.1:\(https.expired) đã hết hạn"), "\(byLocale.stdout)")
        #expect(byLocale.stdout.contains("LỖI"))
        let byFlag = try agent(["check", "--lang", "vi", target])
        #expect(byFlag.stdout.contains("KẾT QUẢ"))
        let english = try agent(["check", "--lang", "en", target], environment: ["LANG": "vi_VN.UTF-8"])
        #expect(english.stdout.contains("Diagnosis: The TLS certificate of 127.0.0.1:\(https.expired) has expired"))
    }

    @Test func badConfigurationExitsTwoNamingFileAndLine() throws {
        let path = repositoryRoot.path + "/Tests/AgentRuntimeTests/Fixtures/invalid-bad-duration.toml"
        let result = try agent(["check", "--config", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("configuration error: \(path):4:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [
        (["check", "ftp://x"], "unknown scheme ftp://"),
        (["check", "--lang", "fr"], "--lang must be vi or en"),
        (["check", "--bogus"], "unknown option --bogus"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["check", "--config"], "option --config needs a value"),
        (["check", "icmp://h?count=-1"], "between 1 and 10000"),
    ])
    func badUsageExitsTwo(arguments: [String], fragment: String) throws {
        let result = try agent(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    @Test func helpAndVersion() throws {
        let help = try agent(["--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: commune-agent check"))
        let version = try agent(["version"])
        #expect(version.status == 0 && version.stdout.contains("libcurl/"))
    }

    @Test func configuredProbesRun() throws {
        let https = try HTTPSPeer.shared.get()
        let dir = scratchDirectory("config")
        let path = dir + "/agent.toml"
        try """
            [agent]
            lang = "en"
            [[probe]]
            name = "portal"
            kind = "http"
            target = "http://127.0.0.1:\(https.http)/wrong"
            expect_body = "Cổng Dịch vụ công"
            [[probe]]
            name = "door"
            kind = "tcp"
            target = "127.0.0.1:\(https.http)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try agent(["check", "--config", path, "--json"])
        #expect(result.status == 1)
        let lines = try jsonLines(result.stdout).filter { $0["kind"] as? String != "path" }
        #expect(lines.map { $0["name"] as? String } == ["portal", "door"])
        #expect(lines[0]["error_kind"] as? String == "http_body_mismatch")
        #expect(lines[1]["ok"] as? Bool == true)
    }

    /// Without root, CAP_NET_RAW or a ping_group_range that includes the user, ICMP says which is missing.
    @Test(.enabled(if: runningAsRoot, "needs root to make a namespace and drop privileges"))
    func missingICMPCapabilityIsExplained() throws {
        let namespace = "cwcap\(getpid() % 10000)"
        try run("/usr/sbin/ip", ["netns", "add", namespace])
        defer { _ = try? run("/usr/sbin/ip", ["netns", "del", namespace]) }
        try run("/usr/sbin/ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        try run("/usr/sbin/ip", ["netns", "exec", namespace, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0"])
        let dir = scratchDirectory("cap")
        let binary = dir + "/commune-agent"
        try FileManager.default.copyItem(atPath: try agentBinary(), toPath: binary)
        let asNobody = ["netns", "exec", namespace, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", binary, "check", "--json", "icmp://127.0.0.1?count=2&spacing=10ms"]
        let denied = try run("/usr/sbin/ip", asNobody)
        #expect(denied.status == 1, "\(denied.stderr)")
        let line = try #require(try jsonLines(denied.stdout).first)
        #expect(line["error_kind"] as? String == "missing_capability")
        let error = try #require(line["error"] as? String)
        #expect(error.contains("CAP_NET_RAW") && error.contains("ping_group_range"), "\(error)")
        #expect((line["metrics"] as? [String: Double])?["probe_success"] == 0)

        // The same user may ping once the namespace's ping_group_range includes its group.
        try run("/usr/sbin/ip", ["netns", "exec", namespace, "sysctl", "-qw", "net.ipv4.ping_group_range=0 65535"])
        let allowed = try run("/usr/sbin/ip", asNobody)
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        let ok = try #require(try jsonLines(allowed.stdout).first)
        #expect(ok["ok"] as? Bool == true)
    }
}

extension CheckCommandTests {
    /// `snmp://` and `modem://` targets, as the issue's focal point would type them.
    @Test(.enabled(if: runningAsRoot, "the SNMP peers run as root"))
    func snmpAndModemTargets() throws {
        let peer = try SNMPDPeer.shared.get()
        let dir = scratchDirectory("cli-mmcli")
        let mmcli = dir + "/mmcli"
        try "#!/bin/sh\nexec \(repositoryRoot.path)/Tests/Peers/fake_mmcli.sh lte-full \(dir) \"$@\"\n"
            .write(toFile: mmcli, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: mmcli)
        let targets = ["snmp://cwpublic@127.0.0.1:\(peer.port)?rate_window=1s", "modem://?mmcli=\(mmcli)"]
        let result = try agent(["check", "--json"] + targets)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        let snmp = try #require(lines.first { $0["kind"] as? String == "snmp" })
        let metrics = try #require(snmp["metrics"] as? [String: Double])
        #expect(metrics[#"probe_snmp_if_oper_up{interface="lo"}"#] == 1)
        #expect(metrics[#"probe_snmp_if_in_bits_per_second{interface="lo"}"#] != nil, "check polls twice for rates")
        #expect((snmp["facts"] as? [String: String])?["sys_descr"] == "CommuneWatch snmpd_peer (net-snmp)")
        let modem = try #require(lines.first { $0["kind"] as? String == "modem" })
        #expect(modem["path"] as? String == "4g")
        #expect((modem["metrics"] as? [String: Double])?["probe_modem_rsrp_dbm"] == -97)
        #expect((modem["facts"] as? [String: String])?["operator"] == "Viettel")

        let table = try agent(["check", "--lang", "vi"] + targets)
        #expect(table.stdout.contains("LTE · Viettel · RSRP -97 dBm · SNR 9,4 dB"), "\(table.stdout)")
        #expect(table.stdout.contains("lo  up"), "\(table.stdout)")
    }
}
