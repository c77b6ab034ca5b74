import ISO8583

/// Messages as KeyIn sends them, shared by the tests.
enum Fixtures {
    /// A keyed-in 0200 sale: the README's example (the typical sale, with its own card secrets in element 48).
    static var sale: ISO8583Message {
        var message = ISO8583Message.typicalSale
        message.additionalData = AdditionalData([
            .cvc2: "737", .customerIdentity: "900101", .cardPasswordDigits: "58", .installmentMonths: "00",
        ])
        return message
    }

    /// A 0400 reversal of `sale`: element 90 needs the secondary bitmap.
    static var reversal: ISO8583Message {
        var message = ISO8583Message(mti: .reversalRequest)
        message[.processingCode] = "000000"
        message[.amount] = "000000015000"
        message[.transmissionDateTime] = "1124031530"
        message[.systemTraceAuditNumber] = "000124"
        message[.localTime] = "121530"
        message[.localDate] = "1124"
        message[.terminalID] = "KEYIN001"
        message[.merchantID] = "M00000000000001"
        message[.currencyCode] = "410"
        message[.originalDataElements] =
            OriginalDataElements(
                messageType: .financialRequest, systemTraceAuditNumber: "000123", transmissionDateTime: "1124031500"
            ).encoded
        return message
    }

    static var echo: ISO8583Message {
        var message = ISO8583Message(mti: .networkManagementRequest)
        message[.transmissionDateTime] = "1124031500"
        message[.systemTraceAuditNumber] = "000125"
        message[.terminalID] = "KEYINLNK"
        message[.networkManagementCode] = "301"
        return message
    }
}
