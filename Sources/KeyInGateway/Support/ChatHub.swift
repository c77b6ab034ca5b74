import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// Who is connected to live chat in this process: merchants' staff in the console, customers on payment pages.
/// Messages are stored by `ChatService` first; the hub relays them to whoever is connected here, at once for what
/// this process received, and through `ChatRelay` for what other processes on the same database stored.
package actor ChatHub {
    /// This process, as `chat_presence` knows it.
    package let processID = UUID()
    /// Merchant → connection → the socket and the console session it was opened with.
    private var staff: [MerchantID: [UUID: (socket: WebSocket, sessionID: UUID)]] = [:]
    /// Inquiry → the customer's connection.
    private var customers: [InquiryID: (connection: UUID, socket: WebSocket)] = [:]
    /// Messages already delivered here (or stored here and delivered directly), so the relay never sends one twice.
    private var handled: [UUID: Date] = [:]
    /// The newest message time the relay has read.
    private var cursor: Date?

    /// Customer sockets open here, per payment link and per client address: a script cannot open thousands.
    private var customerSockets: (byLink: [PaymentLinkKey: Int], byAddress: [String: Int]) = ([:], [:])
    package static let customerSocketsPerLink = 3
    package static let customerSocketsPerAddress = 10

    /// Counts a customer socket in, unless its link or its address already has as many open as it may.
    package func openCustomerSocket(link: PaymentLinkKey, address: String) -> Bool {
        guard customerSockets.byLink[link, default: 0] < Self.customerSocketsPerLink,
            customerSockets.byAddress[address, default: 0] < Self.customerSocketsPerAddress
        else { return false }
        customerSockets.byLink[link, default: 0] += 1
        customerSockets.byAddress[address, default: 0] += 1
        return true
    }

    package func closeCustomerSocket(link: PaymentLinkKey, address: String) {
        customerSockets.byLink[link] = customerSockets.byLink[link].flatMap { $0 > 1 ? $0 - 1 : nil }
        customerSockets.byAddress[address] = customerSockets.byAddress[address].flatMap { $0 > 1 ? $0 - 1 : nil }
    }

    package func addStaff(merchantID: MerchantID, connection: UUID, sessionID: UUID, socket: WebSocket) {
        staff[merchantID, default: [:]][connection] = (socket, sessionID)
    }

    package func removeStaff(merchantID: MerchantID, connection: UUID) {
        staff[merchantID]?[connection] = nil
        if staff[merchantID]?.isEmpty == true { staff[merchantID] = nil }
    }

    package func addCustomer(inquiryID: InquiryID, connection: UUID, socket: WebSocket) {
        customers[inquiryID] = (connection, socket)
    }

    package func removeCustomer(inquiryID: InquiryID) { customers[inquiryID] = nil }

    package func sendToStaff(merchantID: MerchantID, _ text: String) async {
        for entry in staff[merchantID]?.values.map({ $0 }) ?? [] { try? await entry.socket.send(text) }
    }

    package func sendToCustomer(inquiryID: InquiryID, _ text: String) async {
        if let entry = customers[inquiryID] { try? await entry.socket.send(text) }
    }

    /// Whose conversations the sockets here take part in.
    package var interest: (merchants: Set<MerchantID>, inquiries: Set<InquiryID>) {
        (Set(staff.keys), Set(customers.keys))
    }

    /// Every connection open here, as `chat_presence` should list them.
    package var openConnections: [UUID] {
        staff.values.flatMap(\.keys) + customers.values.map(\.connection)
    }

    /// The console sessions behind the staff sockets open here.
    package var staffSessions: Set<UUID> { Set(staff.values.flatMap { $0.values.map(\.sessionID) }) }

    /// Closes the staff sockets opened with sessions that have ended (signed out, password changed, member
    /// removed): they must stop reading customers' messages.
    package func closeStaff(sessionsEnded ended: Set<UUID>) async {
        guard !ended.isEmpty else { return }
        for (merchantID, connections) in staff {
            for (connection, entry) in connections where ended.contains(entry.sessionID) {
                staff[merchantID]?[connection] = nil
                try? await entry.socket.close(code: .policyViolation)
            }
        }
        staff = staff.filter { !$0.value.isEmpty }
    }

    /// More than this many messages a minute from one customer are not stored or relayed.
    package static let messagesPerMinute = 20

    /// When customers on each payment link sent their recent messages (for the pace limit, kept across
    /// reconnections).
    private var recentByLink: [PaymentLinkKey: [Date]] = [:]

    /// Whether one more customer message on this link fits in the pace a person types at
    /// (`messagesPerMinute`); a script flooding the shop's inbox, reconnecting or not, does not.
    package func admitCustomerMessage(linkKey: PaymentLinkKey, at date: Date) -> Bool {
        let recent = (recentByLink[linkKey] ?? []).filter { date.timeIntervalSince($0) < 60 }
        guard recent.count < Self.messagesPerMinute else {
            recentByLink[linkKey] = recent
            return false
        }
        recentByLink[linkKey] = recent + [date]
        if recentByLink.count > 10_000 {
            recentByLink = recentByLink.filter { $0.value.last.map { date.timeIntervalSince($0) < 60 } ?? false }
        }
        return true
    }

    /// A message this process stores and delivers itself: the relay must skip it.
    package func handle(_ messageID: UUID, at date: Date) { handled[messageID] = date }

    // MARK: Relay

    /// Where the relay should read from: nil when no one is connected here (and then later passes start from now,
    /// not from old history).
    package func relayStart(now: Date, overlap: TimeInterval) -> Date? {
        guard !customers.isEmpty || !staff.isEmpty else {
            cursor = now
            return nil
        }
        return (cursor ?? now).addingTimeInterval(-overlap)
    }

    /// The messages not yet handled here, which are now marked handled; moves the cursor and forgets old marks.
    package func takeUnhandled(_ messages: [InquiryMessageRecord], now: Date) -> [InquiryMessageRecord] {
        let fresh = messages.filter { message in
            guard handled[message.id] == nil else { return false }
            handled[message.id] = message.createdAt
            return true
        }
        if let newest = messages.map(\.createdAt).max(), newest > (cursor ?? .distantPast) { cursor = newest }
        handled = handled.filter { $0.value > now.addingTimeInterval(-120) }
        return fresh
    }

    /// Delivers another process's message to the sockets here that should see it.
    package func relay(_ message: InquiryMessageRecord, of inquiry: InquiryRecord) async {
        let inquiryID = inquiry.id
        let frame = ChatFrame(
            type: "message", inquiryId: inquiryID.rawValue.uuidString, author: message.author.rawValue,
            body: message.body,
            contact: message.author == .customer ? inquiry.contact : nil, orderName: inquiry.orderName,
            at: message.createdAt
        ).text
        if message.author == .staff { await sendToCustomer(inquiryID: inquiryID, frame) }
        await sendToStaff(merchantID: inquiry.merchantID, frame)
    }
}

/// The frames chat sends, as JSON text.
package struct ChatFrame: Codable, Sendable {
    /// `hello`, `message` or `system`.
    package var type: String
    package var inquiryId: String?
    package var author: String?
    package var body: String?
    package var contact: String?
    package var orderName: String?
    package var staffOnline: Bool?
    package var support: String?
    package var at: Date?

    package init(
        type: String, inquiryId: String? = nil, author: String? = nil, body: String? = nil, contact: String? = nil,
        orderName: String? = nil, staffOnline: Bool? = nil, support: String? = nil, at: Date? = nil
    ) {
        self.type = type
        self.inquiryId = inquiryId
        self.author = author
        self.body = body
        self.contact = contact
        self.orderName = orderName
        self.staffOnline = staffOnline
        self.support = support
        self.at = at
    }

    package var text: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    package static func decode(_ text: String) -> ChatFrame? {
        try? JSONDecoder().decode(ChatFrame.self, from: Data(text.utf8))
    }
}
