import Testing
@testable import AgentRuntime
@testable import Probes

@Suite struct TargetURLTests {
    @Test func icmpWithOptions() throws {
        let probe = try TargetURL.parse("icmp://192.168.1.1?count=50&interface=eth0&path=4g&timeout=2s&spacing=100ms")
        guard case let .icmp(echo) = probe.spec.target else { Issue.record("not icmp"); return }
        #expect(echo.host == "192.168.1.1" && echo.count == 50 && echo.spacing == .milliseconds(100))
        #expect(probe.spec.binding.interface == "eth0" && probe.spec.path == "4g" && probe.spec.timeout == .seconds(2))
        #expect(probe.spec.critical)
    }

    @Test func icmpIPv6Literal() throws {
        let probe = try TargetURL.parse("icmp://[::1]")
        guard case let .icmp(echo) = probe.spec.target else { Issue.record("not icmp"); return }
        #expect(echo.host == "::1")
    }

    @Test func tcpDnsAndHttp() throws {
        guard case let .tcp(tcp) = try TargetURL.parse("tcp://portal.gov.vn:8443").spec.target else { Issue.record("tcp"); return }
        #expect(tcp.host == "portal.gov.vn" && tcp.port == 8443)
        guard case let .dns(dns) = try TargetURL.parse("dns://8.8.8.8/dichvucong.gov.vn?type=aaaa").spec.target else { Issue.record("dns"); return }
        #expect(dns.resolver == "8.8.8.8" && dns.name == "dichvucong.gov.vn" && dns.recordType == "AAAA")
        guard case let .dns(system) = try TargetURL.parse("dns:///chinhphu.vn").spec.target else { Issue.record("dns"); return }
        #expect(system.resolver == nil)
        let http = try TargetURL.parse("https://dichvucong.gov.vn/p/home?lang=vi#timeout=10s&expect_body=C%E1%BB%95ng&path=4g")
        guard case let .http(page) = http.spec.target else { Issue.record("http"); return }
        #expect(page.url == "https://dichvucong.gov.vn/p/home?lang=vi")
        #expect(page.expectedBody == "Cổng")
        #expect(http.spec.timeout == .seconds(10) && http.spec.path == "4g")
        #expect(http.role == .portal)
    }

    @Test(arguments: [
        ("192.168.1.1", "a target is written as a URL"),
        ("ftp://x", "unknown scheme ftp://"),
        ("icmp://h?count=abc", "'count' must be an integer"),
        ("icmp://h?count=0", "between 1 and 10000"),
        ("icmp://h?colour=red", "unknown key 'colour'"),
        ("icmp://h?timeout=5", "is not a duration"),
        ("tcp://host", "needs a port"),
        ("dns://8.8.8.8", "dns://RESOLVER/NAME"),
        ("dns://8.8.8.8/x?type=BOGUS", "unknown record type"),
        ("icmp://h?count", "needs a value"),
        ("icmp://a b", "must be a host name or IP address"),
        ("icmp://h?source=eth0", "numeric IPv4 or IPv6"),
    ])
    func badTargetsSayWhatIsWrong(target: String, fragment: String) {
        do {
            _ = try TargetURL.parse(target)
            Issue.record("accepted \(target)")
        } catch {
            #expect(error.source == target)
            #expect(error.message.contains(fragment), "\(target): \(error.message)")
        }
    }

    @Test func randomTargetsNeverCrash() {
        let alphabet = Array("icmptdnshx:/?&=#[]%.123abc-_ ")
        for _ in 0..<3000 {
            let text = String((0..<Int.random(in: 0...30)).map { _ in alphabet.randomElement()! })
            _ = try? TargetURL.parse(text)
        }
    }
}
