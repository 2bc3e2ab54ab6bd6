import ArgumentParser
import CollectorServer
import Foundation
import WatchModel

/// `staff add|list|disable|passwd`: the people who sign in to the pages, in the collector's database
/// (so the first admin can be made before anyone can sign in). Passwords are read from stdin or a
/// file, never from the command line (it shows in `ps` and shell histories), and never echoed.
struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Staff accounts for the pages: viewer, support, planner, admin.",
                                                    subcommands: [Add.self, List.self, Disable.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account; the password is read from stdin (or --password-file).")
        @Argument(help: "The login (a–z, 0–9, '.', '_', '-').") var login: String
        @Option(help: "The person's name as the teams know it.") var name: String
        @Option(help: "viewer, support, planner or admin.") var role: String
        @Option(help: "A file holding the password (its first line).") var passwordFile: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let password = try readPassword(file: passwordFile)
            let account = try await store.database.with { try await StaffDirectory.add(login: login, name: name, role: role, password: password, in: $0) }
            print("added \(account.login) (\(account.displayName), \(account.role.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every account, disabled ones too.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let accounts = try await store.database.with { try await $0.staffAccounts() }
            if accounts.isEmpty { print("no staff accounts") }
            for a in accounts {
                print("\(a.login)  \(a.role.rawValue)  \(a.displayName)  since \(Incidents.List.time(NSNumber(value: a.createdAt)))"
                      + (a.disabledAt.map { "  disabled \(Incidents.List.time(NSNumber(value: $0)))" } ?? ""))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: it cannot sign in, and its sessions end now.")
        @Argument(help: "The login.") var login: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            _ = try await store.database.with { try await StaffDirectory.disable(login: login, in: $0) }
            print("disabled \(login)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password (from stdin or --password-file); the account's sessions end.")
        @Argument(help: "The login.") var login: String
        @Option(help: "A file holding the password (its first line).") var passwordFile: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let password = try readPassword(file: passwordFile)
            try await store.database.with { try await StaffDirectory.setPassword(login: login, password: password, in: $0) }
            print("password changed for \(login)")
        }
    }
}

/// The password: the first line of `file`, or of stdin (prompted on stderr, echo off, asked twice, when it is a terminal).
func readPassword(file: String?) throws -> String {
    if let file {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("--password-file \(file): cannot read it as UTF-8 text") }
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
    guard isatty(STDIN_FILENO) == 1 else { return try readSecretLine(prompt: nil) }
    let password = try readSecretLine(prompt: "Password: ")
    guard try readSecretLine(prompt: "Again: ") == password else { throw ValidationError("the two passwords differ") }
    return password
}

/// One line of stdin; with a prompt (a terminal), typed without echo.
private func readSecretLine(prompt: String?) throws -> String {
    let terminal = prompt != nil
    var saved = termios()
    if let prompt {
        FileHandle.standardError.write(Data(prompt.utf8))
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
    }
    defer {
        if terminal {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }
    guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on stdin (or give --password-file)") }
    return line
}
