/// An SMTP submission: the envelope and the login; the message itself is the request's `body`,
/// uploaded as it is (RFC 5322 text with CRLF line ends).
public struct CurlMail: Sendable, Hashable {
    /// When to use TLS on a plain `smtp://` URL (an `smtps://` URL is TLS from the start).
    public enum STARTTLS: String, Sendable, Hashable, CaseIterable {
        /// Fail unless the server agrees to STARTTLS: the password and the message never go in clear.
        case required
        /// STARTTLS when the server offers it, plain otherwise.
        case `try`
        /// Never.
        case off
    }

    /// The envelope sender (`MAIL FROM`).
    public var from: String
    /// The envelope recipients (`RCPT TO`), each refused one fails the whole submission.
    public var recipients: [String]
    public var starttls: STARTTLS = .required
    public var username: String?
    public var password: String?

    public init(from: String, recipients: [String], starttls: STARTTLS = .required, username: String? = nil, password: String? = nil) {
        self.from = from
        self.recipients = recipients
        self.starttls = starttls
        self.username = username
        self.password = password
    }
}
