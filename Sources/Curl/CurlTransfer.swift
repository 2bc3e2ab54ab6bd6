import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a libcurl easy handle for one request: options in, response out, freed in `deinit`.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let request: CurlRequest
    private var body: [UInt8] = []
    private var responseHeaders: [String: String] = [:]
    private var replies: [String] = []
    /// How much of a mail's body libcurl has read so far.
    private var uploaded = 0
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// Called once, on the engine's thread, when the transfer ends.
    var completion: ((Result<CurlResponse, CurlError>) -> Void)?

    init(_ request: CurlRequest) throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed", osErrno: 0,
                            sslVerifyResult: 0, partial: CurlResponse())
        }
        self.handle = handle
        self.request = request
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
    }

    private func set(_ option: CURLoption, _ value: Int) { _ = cw_easy_setopt_long(handle, option, value) }
    private func set(_ option: CURLoption, _ value: String) {
        // libcurl copies string options (since 7.17), so a temporary C string is enough.
        _ = value.withCString { cw_easy_setopt_ptr(handle, option, $0) }
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    private func configure() {
        set(CURLOPT_URL, request.url)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        if let connectTimeout = request.connectTimeout { set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)) }
        set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        set(CURLOPT_MAXREDIRS, request.maxRedirects)
        set(CURLOPT_CERTINFO, 1)
        // Probes read small pages; a 4 KB receive buffer instead of 16 KB keeps 50 concurrent probes small.
        set(CURLOPT_BUFFERSIZE, 4096)
        set(CURLOPT_USERAGENT, request.userAgent)
        if !request.reuseConnection {
            // Probes measure a fresh connection each time, like curl -w from the command line.
            set(CURLOPT_FRESH_CONNECT, 1)
            set(CURLOPT_FORBID_REUSE, 1)
        }
        if let mail = request.mail {
            configure(mail)
        } else if let body = request.body {
            set(CURLOPT_POST, 1)
            _ = cw_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the Swift array may go.
            _ = body.withUnsafeBytes { cw_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        }
        if let rate = request.maxSendBytesPerSecond { _ = cw_easy_setopt_off(handle, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(rate)) }
        if let stall = request.stallTimeout {
            set(CURLOPT_LOW_SPEED_LIMIT, 1)
            set(CURLOPT_LOW_SPEED_TIME, max(Int(stall.components.seconds), 1))
        }
        if let method = request.method { set(CURLOPT_CUSTOMREQUEST, method) }
        // Only web protocols (and mail for a mail): a config typo must not make the agent speak FTP or file://.
        let protocols = request.mail == nil ? "http,https" : "smtp,smtps"
        _ = protocols.withCString { cw_easy_setopt_ptr(handle, CURLOPT_PROTOCOLS_STR, $0) }
        _ = "http,https".withCString { cw_easy_setopt_ptr(handle, CURLOPT_REDIR_PROTOCOLS_STR, $0) }
        if request.headOnly { set(CURLOPT_NOBODY, 1) }
        if let name = request.interface { set(CURLOPT_INTERFACE, "if!\(name)") }
        else if let source = request.sourceAddress { set(CURLOPT_INTERFACE, "host!\(source)") }
        if let proxy = request.proxy { set(CURLOPT_PROXY, proxy) } else { set(CURLOPT_PROXY, "") }
        if let ca = request.caFile { set(CURLOPT_CAINFO, ca) }
        // Debian builds libcurl with a default CA path; libcurl caches the parsed CA store on the
        // multi handle only when the store comes from a CA file alone. Without this, every HTTPS
        // probe parses the whole system bundle again (measured: 50 probes, 63 MB and 1.5 s CPU).
        _ = cw_easy_setopt_ptr(handle, CURLOPT_CAPATH, nil)
        if request.insecure {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch request.ipVersion {
        case 4: set(CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V4))
        case 6: set(CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V6))
        default: break
        }
        for header in request.headers { headerList = curl_slist_append(headerList, header) }
        if let headerList { _ = cw_easy_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList) }
        _ = cw_easy_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = cw_easy_setopt_ptr(handle, CURLOPT_PRIVATE, Unmanaged.passUnretained(self).toOpaque())
        _ = cw_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = cw_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = cw_easy_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            transfer.header(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        _ = cw_easy_setopt_write(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            transfer.append(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
    }

    /// SMTP: the envelope, the login, TLS, and the message read from `request.body` by libcurl.
    private func configure(_ mail: CurlMail) {
        set(CURLOPT_MAIL_FROM, mail.from)
        for recipient in mail.recipients { recipientList = curl_slist_append(recipientList, recipient) }
        if let recipientList { _ = cw_easy_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipientList) }
        let tls: curl_usessl = switch mail.starttls {
        case .required: CURLUSESSL_ALL
        case .try: CURLUSESSL_TRY
        case .off: CURLUSESSL_NONE
        }
        set(CURLOPT_USE_SSL, Int(tls.rawValue))
        if let username = mail.username { set(CURLOPT_USERNAME, username) }
        if let password = mail.password { set(CURLOPT_PASSWORD, password) }
        set(CURLOPT_UPLOAD, 1)
        _ = cw_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body?.count ?? 0))
        _ = cw_easy_setopt_ptr(handle, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = cw_easy_setopt_read(handle, CURLOPT_READFUNCTION) { buffer, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            return transfer.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
        }
    }

    /// The next piece of the mail for libcurl; 0 at the end.
    private func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let body = request.body, uploaded < body.count, buffer.count > 0 else { return 0 }
        let length = min(buffer.count, body.count - uploaded)
        body.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + uploaded, byteCount: length)
        }
        uploaded += length
        return length
    }

    private func header(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self)
        // libcurl hands an SMTP server's replies to the header callback: kept, they say why a mail was refused.
        if request.mail != nil {
            var bytes = Array(line)
            while let last = bytes.last, last == 13 || last == 10 || last == 32 { bytes.removeLast() }
            replies.append(String(decoding: bytes, as: UTF8.self))
            return
        }
        // A new status line (after a redirect or 100-continue) starts a new set of headers.
        if text.hasPrefix("HTTP/") { responseHeaders = [:]; return }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingWhitespace()
        responseHeaders[name] = value
    }

    private func append(_ chunk: UnsafeRawBufferPointer) {
        let room = request.bodyLimit - body.count
        if room > 0 { body.append(contentsOf: chunk.prefix(room)) }
    }

    /// Reads what libcurl measured; called after the transfer is done.
    func finish(code: CURLcode) -> Result<CurlResponse, CurlError> {
        var response = CurlResponse()
        response.status = longInfo(CURLINFO_RESPONSE_CODE)
        response.httpVersion = switch longInfo(CURLINFO_HTTP_VERSION) {
        case CURL_HTTP_VERSION_1_0: 1.0
        case CURL_HTTP_VERSION_1_1: 1.1
        case CURL_HTTP_VERSION_2_0: 2
        case CURL_HTTP_VERSION_3: 3
        default: 0
        }
        response.times = CurlResponse.Times(
            nameLookup: timeInfo(CURLINFO_NAMELOOKUP_TIME_T),
            connect: timeInfo(CURLINFO_CONNECT_TIME_T),
            appConnect: timeInfo(CURLINFO_APPCONNECT_TIME_T),
            preTransfer: timeInfo(CURLINFO_PRETRANSFER_TIME_T),
            startTransfer: timeInfo(CURLINFO_STARTTRANSFER_TIME_T),
            total: timeInfo(CURLINFO_TOTAL_TIME_T),
            redirect: timeInfo(CURLINFO_REDIRECT_TIME_T))
        response.redirectCount = longInfo(CURLINFO_REDIRECT_COUNT)
        var downloaded: curl_off_t = 0
        _ = cw_easy_getinfo_off(handle, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        response.downloadedBytes = Int(downloaded)
        response.body = body
        response.effectiveURL = stringInfo(CURLINFO_EFFECTIVE_URL)
        response.primaryIP = stringInfo(CURLINFO_PRIMARY_IP)
        response.certificates = certificates()
        response.headers = responseHeaders
        response.replies = replies
        if code == CURLE_OK { return .success(response) }
        var message = String(cString: errorBuffer)
        if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
        return .failure(CurlError(code: Int(code.rawValue), message: message, osErrno: longInfo(CURLINFO_OS_ERRNO),
                                  sslVerifyResult: longInfo(CURLINFO_SSL_VERIFYRESULT), partial: response))
    }

    private func longInfo(_ info: CURLINFO) -> Int {
        var value = 0
        _ = cw_easy_getinfo_long(handle, info, &value)
        return value
    }

    private func timeInfo(_ info: CURLINFO) -> Double {
        var micros: curl_off_t = 0
        _ = cw_easy_getinfo_off(handle, info, &micros)
        return Double(micros) / 1_000_000
    }

    private func stringInfo(_ info: CURLINFO) -> String {
        var pointer: UnsafeMutablePointer<CChar>?
        guard cw_easy_getinfo_string(handle, info, &pointer) == CURLE_OK, let pointer else { return "" }
        return String(cString: pointer)
    }

    private func certificates() -> [CertificateInfo] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard cw_easy_getinfo_certinfo(handle, &info) == CURLE_OK, let info, info.pointee.num_of_certs > 0,
              let lists = info.pointee.certinfo else { return [] }
        var out: [CertificateInfo] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var fields: [String: String] = [:]
            var node = lists[index]
            while let entry = node {
                let text = String(cString: entry.pointee.data)
                if let colon = text.firstIndex(of: ":") {
                    let key = String(text[..<colon])
                    if fields[key] == nil { fields[key] = String(text[text.index(after: colon)...]) }
                }
                node = entry.pointee.next
            }
            out.append(CertificateInfo(subject: fields["Subject"] ?? "", issuer: fields["Issuer"] ?? "",
                                       notAfter: Self.date(fields["Expire date"]),
                                       notBefore: Self.date(fields["Start date"])))
        }
        return out
    }

    /// Parses OpenSSL's "Nov 23 12:00:00 2027 GMT" with `curl_getdate`, as the field notes advise.
    private static func date(_ text: String?) -> Int64? {
        guard let text else { return nil }
        let value = curl_getdate(text, nil)
        return value == -1 ? nil : Int64(value)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" || last == "\n" { s = s.dropLast() }
        return String(s)
    }
}
