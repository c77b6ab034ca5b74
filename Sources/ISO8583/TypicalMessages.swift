extension ISO8583Message {
    /// A typical key-in 0200 sale as KeyIn sends it (card number, amount, trace, expiry, element 48 with CVC, birth
    /// date, card password digits and installments, currency): the message the codec's speed is measured with, by
    /// `keyin bench` and `Benchmarks/`. Test card data only.
    public static var typicalSale: ISO8583Message {
        var message = ISO8583Message(mti: .financialRequest)
        message[.primaryAccountNumber] = "4242424242424242"
        message[.processingCode] = "000000"
        message[.amount] = "000000015000"
        message[.transmissionDateTime] = "1124031500"
        message[.systemTraceAuditNumber] = "000123"
        message[.localTime] = "121500"
        message[.localDate] = "1124"
        message[.expirationDate] = "2912"
        message[.posEntryMode] = "012"
        message[.posConditionCode] = "08"
        message[.terminalID] = "KEYIN001"
        message[.merchantID] = "M00000000000001"
        message.additionalData = AdditionalData([
            .cvc2: "123", .customerIdentity: "900101", .cardPasswordDigits: "12", .installmentMonths: "00",
        ])
        message[.currencyCode] = "410"
        return message
    }
}
