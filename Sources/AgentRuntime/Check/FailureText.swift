import WatchModel
import Probes

/// A probe failure said in the user's language, naming the target.
enum FailureText {
    static func describe(_ failure: ProbeFailure, target: String, language: Language) -> String {
        guard language == .vi else { return failure.detail }
        switch failure.kind {
        case .unreachable: return "không tới được \(target) (\(failure.detail))"
        case .timeout: return "\(target) không trả lời trong thời gian chờ"
        case .refused: return "\(target) từ chối kết nối (cổng không mở)"
        case .resolveFailed: return "không phân giải được tên miền của \(target)"
        case .nxdomain: return "máy chủ DNS báo tên miền không tồn tại (NXDOMAIN)"
        case .servfail: return "máy chủ DNS không phân giải được (SERVFAIL)"
        case .dnsRefused: return "máy chủ DNS từ chối trả lời (REFUSED)"
        case .dnsTimeout: return "máy chủ DNS không trả lời trong thời gian chờ"
        case .dnsBadReply: return "máy chủ DNS trả lời sai: \(failure.detail)"
        case .tlsVerificationFailed: return "chứng chỉ TLS của \(target) không được tin cậy"
        case .certificateExpired: return "chứng chỉ TLS của \(target) đã hết hạn" + (failure.detail.firstOccurrence(of: "expired ").map { _ in daysAgo(failure.detail) } ?? "")
        case .tlsHandshakeFailed: return "bắt tay TLS với \(target) thất bại"
        case .wrongStatus: return "\(target) trả về mã lỗi: \(failure.detail)"
        case .bodyMismatch: return "trang của \(target) không có nội dung mong đợi"
        case .tooManyRedirects: return "\(target) chuyển hướng quá nhiều lần"
        case .httpError: return "lỗi HTTP với \(target): \(failure.detail)"
        case .noReply: return "\(target) không trả lời gói ping nào"
        case .tooLossy: return "mất quá nhiều gói tin tới \(target): \(failure.detail)"
        case .tooSlow: return "\(target) quá chậm: \(failure.detail)"
        case .snmpAuthFailed: return "xác thực SNMPv3 với \(target) thất bại: sai mật khẩu hoặc giao thức"
        case .snmpUnknownUser: return "\(target) không biết người dùng SNMPv3 này"
        case .snmpNoSuchObject: return "thiết bị \(target) không có OID được yêu cầu: \(failure.detail)"
        case .snmpError: return "lỗi SNMP từ \(target): \(failure.detail)"
        case .noModem: return "không tìm thấy modem 4G nào (ModemManager không thấy thiết bị)"
        case .modemFailed: return failure.detail.includes("no SIM") ? "modem 4G không có thẻ SIM" : "modem 4G đang lỗi: \(failure.detail)"
        case .missingTool: return failure.detail.includes("not running") ? "ModemManager chưa chạy" : "chưa cài ModemManager (thiếu lệnh mmcli)"
        case .missingCapability: return "thiếu quyền: \(failure.detail)"
        case .interfaceUnavailable: return "không dùng được giao diện mạng: \(failure.detail)"
        case .badTarget: return "mục tiêu không hợp lệ: \(failure.detail)"
        case .internalError: return "lỗi nội bộ: \(failure.detail)"
        }
    }

    /// " (N ngày trước)" from an English "(expired N days ago)".
    private static func daysAgo(_ detail: String) -> String {
        guard let range = detail.firstOccurrence(of: "(expired ") else { return "" }
        let days = detail[range.upperBound...].prefix { $0.isNumber }
        return days.isEmpty ? "" : " (\(days) ngày trước)"
    }
}
