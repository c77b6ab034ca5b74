import Foundation
import Vapor

/// Who is connected to live chat in this process: merchants' staff in the console, customers on payment pages.
/// Messages are stored by `ChatService` first; the hub relays them to whoever is connected here, at once for what
/// this process received, and through `ChatRelay` for what other processes on the same database stored.
actor ChatHub {
    /// This process, as `chat_presence` knows it.
    let processID = UUID()
    private var staff: [UUID: [UUID: WebSocket]] = [:]
    private var customers: [UUID: WebSocket] = [:]
    /// Messages already delivered here (or stored here and delivered directly), so the relay never sends one twice.
    private var handled: [UUID: Date] = [:]
    /// The newest message time the relay has read.
    private var cursor: Date?

    func addStaff(merchantID: UUID, connection: UUID, socket: WebSocket) {
        staff[merchantID, default: [:]][connection] = socket
    }

    func removeStaff(merchantID: UUID, connection: UUID) {
        staff[merchantID]?[connection] = nil
        if staff[merchantID]?.isEmpty == true { staff[merchantID] = nil }
    }

    func addCustomer(inquiryID: UUID, socket: WebSocket) { customers[inquiryID] = socket }

    func removeCustomer(inquiryID: UUID) { customers[inquiryID] = nil }

    func sendToStaff(merchantID: UUID, _ text: String) async {
        for socket in staff[merchantID]?.values.map({ $0 }) ?? [] { try? await socket.send(text) }
    }

    func sendToCustomer(inquiryID: UUID, _ text: String) async {
        if let socket = customers[inquiryID] { try? await socket.send(text) }
    }

    /// A message this process stores and delivers itself: the relay must skip it.
    func handle(_ messageID: UUID, at date: Date) { handled[messageID] = date }

    // MARK: Relay

    /// Where the relay should read from: nil when no one is connected here (and then later passes start from now,
    /// not from old history).
    func relayStart(now: Date, overlap: TimeInterval) -> Date? {
        guard !customers.isEmpty || !staff.isEmpty else {
            cursor = now
            return nil
        }
        return (cursor ?? now).addingTimeInterval(-overlap)
    }

    /// The messages not yet handled here, which are now marked handled; moves the cursor and forgets old marks.
    func takeUnhandled(_ messages: [InquiryMessageModel], now: Date) -> [InquiryMessageModel] {
        let fresh = messages.filter { message in
            guard let id = message.id, handled[id] == nil else { return false }
            handled[id] = message.createdAt
            return true
        }
        if let newest = messages.map(\.createdAt).max(), newest > (cursor ?? .distantPast) { cursor = newest }
        handled = handled.filter { $0.value > now.addingTimeInterval(-120) }
        return fresh
    }

    /// Delivers another process's message to the sockets here that should see it.
    func relay(_ message: InquiryMessageModel, of inquiry: InquiryModel) async {
        guard let inquiryID = inquiry.id else { return }
        let frame = ChatFrame(
            type: "message", inquiryId: inquiryID.uuidString, author: message.author, body: message.body,
            contact: message.author == "CUSTOMER" ? inquiry.contact : nil, orderName: inquiry.orderName,
            at: message.createdAt
        ).text
        if message.author == "STAFF" { await sendToCustomer(inquiryID: inquiryID, frame) }
        await sendToStaff(merchantID: inquiry.$merchant.id, frame)
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
