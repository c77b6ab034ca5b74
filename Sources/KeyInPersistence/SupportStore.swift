import FluentKit
import Foundation
import KeyInCore

/// How a customer's question came: the form (result page, receipt) or a live chat.
package enum InquiryChannel: String, Sendable, Codable {
    case form = "FORM"
    case chat = "CHAT"
}

package enum InquiryStatus: String, Sendable, Codable {
    case open = "OPEN"
    case answered = "ANSWERED"
}

/// Who wrote a line of an inquiry's thread.
package enum InquiryAuthor: String, Sendable, Codable {
    case customer = "CUSTOMER"
    case staff = "STAFF"
    /// KeyIn itself (a chat nobody was there to answer).
    case system = "SYSTEM"
}

/// A customer's question to a merchant.
package struct InquiryRecord: Sendable, Equatable {
    package let id: InquiryID
    package let merchantID: MerchantID
    package let paymentKey: PaymentKey?
    /// What the customer was buying (the link's or payment's order name), so staff see what a question is about.
    package let orderName: String?
    package let channel: InquiryChannel
    package let customerName: String?
    /// A phone number or e-mail address the answer goes to.
    package var contact: String?
    package var status: InquiryStatus
    package let createdAt: Date
    package var updatedAt: Date

    package init(
        id: InquiryID = InquiryID(UUID()), merchantID: MerchantID, paymentKey: PaymentKey?, orderName: String?,
        channel: InquiryChannel,
        customerName: String?, contact: String?, at date: Date
    ) {
        self.id = id
        self.merchantID = merchantID
        self.paymentKey = paymentKey
        self.orderName = orderName
        self.channel = channel
        self.customerName = customerName
        self.contact = contact
        self.status = .open
        self.createdAt = date
        self.updatedAt = date
    }
}

/// One line of an inquiry's thread.
package struct InquiryMessageRecord: Sendable, Equatable {
    package let id: UUID
    package let inquiryID: InquiryID
    package let author: InquiryAuthor
    package let staffEmail: String?
    package let body: String
    package let createdAt: Date

    package init(
        id: UUID = UUID(), inquiryID: InquiryID, author: InquiryAuthor, staffEmail: String?, body: String, at date: Date
    ) {
        self.id = id
        self.inquiryID = inquiryID
        self.author = author
        self.staffEmail = staffEmail
        self.body = body
        self.createdAt = date
    }
}

/// A customer's answer to the one-question survey after a payment, kept with the payment's outcome.
package struct FeedbackRecord: Sendable, Equatable {
    package let merchantID: MerchantID
    package let paymentKey: PaymentKey
    /// 1 (bad) to 5 (good).
    package let rating: Int
    package let comment: String?
    package let outcomeStatus: PaymentStatus
    package let outcomeCode: String?
    package let createdAt: Date

    package init(
        merchantID: MerchantID, paymentKey: PaymentKey, rating: Int, comment: String?, outcomeStatus: PaymentStatus,
        outcomeCode: String?, at date: Date
    ) {
        self.merchantID = merchantID
        self.paymentKey = paymentKey
        self.rating = rating
        self.comment = comment
        self.outcomeStatus = outcomeStatus
        self.outcomeCode = outcomeCode
        self.createdAt = date
    }
}

/// Inquiries, their threads (forms and live chats alike) and the after-payment survey.
package struct SupportStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// A new inquiry with its first line, together.
    package func open(_ inquiry: InquiryRecord, first message: InquiryMessageRecord) async throws {
        try await database.transaction { database in
            try await InquiryModel(inquiry).create(on: database)
            try await InquiryMessageModel(message).create(on: database)
        }
    }

    /// A line added to a thread, with the inquiry as it now stands (status, contact, time), together.
    /// `contact` is written only when given (a customer's new number): a staff reply never puts back the contact
    /// its copy of the inquiry had.
    package func add(
        _ message: InquiryMessageRecord, updating inquiry: InquiryRecord, contact: String? = nil
    ) async throws {
        try await database.transaction { database in
            try await InquiryMessageModel(message).create(on: database)
            var update = InquiryModel.query(on: database).filter(\.$id == inquiry.id.rawValue)
                .set(\.$status, to: inquiry.status).set(\.$updatedAt, to: inquiry.updatedAt)
            if let contact { update = update.set(\.$contact, to: contact) }
            try await update.update()
        }
    }

    /// A line that changes nothing else (KeyIn's own note in a chat).
    package func add(_ message: InquiryMessageRecord) async throws {
        try await InquiryMessageModel(message).create(on: database)
    }

    package func inquiry(id: InquiryID) async throws -> InquiryRecord? {
        try await InquiryModel.find(id.rawValue, on: database).map(InquiryRecord.init)
    }

    /// The merchant's inquiry with this id (never another merchant's).
    package func inquiry(id: InquiryID, merchantID: MerchantID) async throws -> InquiryRecord? {
        try await InquiryModel.query(on: database).filter(\.$id == id.rawValue).filter(
            \.$merchant.$id == merchantID.rawValue
        )
        .first()
        .map(InquiryRecord.init)
    }

    package func inquiries(ids: Set<InquiryID>) async throws -> [InquiryRecord] {
        guard !ids.isEmpty else { return [] }
        return try await InquiryModel.query(on: database).filter(\.$id ~~ ids.map(\.rawValue)).all().map(
            InquiryRecord.init)
    }

    /// The merchant's inquiries (of one channel, or all) most recently active first.
    package func inquiries(of merchantID: MerchantID, channel: InquiryChannel? = nil, limit: Int) async throws
        -> [InquiryRecord]
    {
        var query = InquiryModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
        if let channel { query = query.filter(\.$channel == channel) }
        return try await query.sort(\.$updatedAt, .descending).limit(limit).all().map(InquiryRecord.init)
    }

    /// The threads of these inquiries (lines by `author` only, when given), oldest line first.
    package func messages(of inquiryIDs: [InquiryID], by author: InquiryAuthor? = nil) async throws
        -> [InquiryMessageRecord]
    {
        guard !inquiryIDs.isEmpty else { return [] }
        var query = InquiryMessageModel.query(on: database).filter(\.$inquiry.$id ~~ inquiryIDs.map(\.rawValue))
        if let author { query = query.filter(\.$author == author) }
        return try await query.sort(\.$createdAt).all().map(InquiryMessageRecord.init)
    }

    /// The newest customer and staff chat lines since `since` in the chats of these merchants or these inquiries.
    /// Newest first, at most `limit`.
    package func newestChatLines(
        since: Date, merchants: Set<MerchantID>, inquiries: Set<InquiryID>, limit: Int
    ) async throws -> [InquiryMessageRecord] {
        guard !merchants.isEmpty || !inquiries.isEmpty else { return [] }
        return try await InquiryMessageModel.query(on: database)
            .join(InquiryModel.self, on: \InquiryMessageModel.$inquiry.$id == \InquiryModel.$id)
            .filter(InquiryModel.self, \.$channel == .chat)
            .group(.or) { group in
                // (An empty IN list is not valid SQL everywhere: only the non-empty ones are asked.)
                if !merchants.isEmpty { group.filter(InquiryModel.self, \.$merchant.$id ~~ merchants.map(\.rawValue)) }
                if !inquiries.isEmpty { group.filter(\.$inquiry.$id ~~ inquiries.map(\.rawValue)) }
            }
            .filter(\.$createdAt >= since).filter(\.$author ~~ [.customer, .staff])
            .sort(\.$createdAt, .descending).limit(limit).all().map(InquiryMessageRecord.init)
    }

    package enum FeedbackRefusal: Error {
        /// The payment's customer has answered already.
        case alreadyAnswered
    }

    package func record(_ feedback: FeedbackRecord) async throws {
        do {
            try await FeedbackModel(feedback).create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw FeedbackRefusal.alreadyAnswered
        }
    }

    /// The merchant's newest survey answers.
    package func feedback(of merchantID: MerchantID, limit: Int) async throws -> [FeedbackRecord] {
        try await FeedbackModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .sort(\.$createdAt, .descending).limit(limit).all().map(FeedbackRecord.init)
    }
}

extension InquiryModel {
    convenience init(_ record: InquiryRecord) {
        self.init()
        id = record.id.rawValue
        $merchant.id = record.merchantID.rawValue
        paymentKey = record.paymentKey?.rawValue
        orderName = record.orderName
        channel = record.channel
        customerName = record.customerName
        contact = record.contact
        status = record.status
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }
}

extension InquiryRecord {
    init(_ model: InquiryModel) {
        self.init(
            id: InquiryID(model.id ?? UUID()), merchantID: MerchantID(model.$merchant.id),
            paymentKey: model.paymentKey.map { PaymentKey(rawValue: $0) },
            orderName: model.orderName, channel: model.channel, customerName: model.customerName,
            contact: model.contact, at: model.createdAt)
        status = model.status
        updatedAt = model.updatedAt
    }
}

extension InquiryMessageModel {
    convenience init(_ record: InquiryMessageRecord) {
        self.init()
        id = record.id
        $inquiry.id = record.inquiryID.rawValue
        author = record.author
        staffEmail = record.staffEmail
        body = record.body
        createdAt = record.createdAt
    }
}

extension InquiryMessageRecord {
    init(_ model: InquiryMessageModel) {
        self.init(
            id: model.id ?? UUID(), inquiryID: InquiryID(model.$inquiry.id), author: model.author,
            staffEmail: model.staffEmail,
            body: model.body, at: model.createdAt)
    }
}

extension FeedbackModel {
    convenience init(_ record: FeedbackRecord) {
        self.init()
        $merchant.id = record.merchantID.rawValue
        paymentKey = record.paymentKey.rawValue
        rating = record.rating
        comment = record.comment
        outcomeStatus = record.outcomeStatus
        outcomeCode = record.outcomeCode
        createdAt = record.createdAt
    }
}

extension FeedbackRecord {
    init(_ model: FeedbackModel) {
        self.init(
            merchantID: MerchantID(model.$merchant.id), paymentKey: PaymentKey(model.paymentKey), rating: model.rating,
            comment: model.comment,
            outcomeStatus: model.outcomeStatus, outcomeCode: model.outcomeCode, at: model.createdAt)
    }
}
