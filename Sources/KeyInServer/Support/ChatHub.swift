import Foundation
import Vapor

/// Who is connected to live chat in this process: merchants' staff in the console, customers on payment pages.
/// Messages are stored by `ChatService` first; the hub only relays them to whoever is connected now.
actor ChatHub {
    private var staff: [UUID: [UUID: WebSocket]] = [:]
    private var customers: [UUID: WebSocket] = [:]

    func addStaff(merchantID: UUID, connection: UUID, socket: WebSocket) {
        staff[merchantID, default: [:]][connection] = socket
    }

    func removeStaff(merchantID: UUID, connection: UUID) {
        staff[merchantID]?[connection] = nil
    }

    func isStaffOnline(merchantID: UUID) -> Bool { !(staff[merchantID]?.isEmpty ?? true) }

    func addCustomer(inquiryID: UUID, socket: WebSocket) { customers[inquiryID] = socket }

    func removeCustomer(inquiryID: UUID) { customers[inquiryID] = nil }

    func isCustomerConnected(inquiryID: UUID) -> Bool { customers[inquiryID] != nil }

    func sendToStaff(merchantID: UUID, _ text: String) async {
        for socket in staff[merchantID]?.values.map({ $0 }) ?? [] { try? await socket.send(text) }
    }

    func sendToCustomer(inquiryID: UUID, _ text: String) async {
        if let socket = customers[inquiryID] { try? await socket.send(text) }
    }
}

/// The frames chat sends, as JSON text.
struct ChatFrame: Codable, Sendable {
    /// `hello`, `message` or `system`.
    var type: String
    var inquiryId: String?
    var author: String?
    var body: String?
    var contact: String?
    var orderName: String?
    var staffOnline: Bool?
    var support: String?
    var at: Date?

    var text: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> ChatFrame? {
        try? JSONDecoder().decode(ChatFrame.self, from: Data(text.utf8))
    }
}
