import ArgumentParser
import CardNetworkLink
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Logging

/// `keyin bench`: throughput figures for the ISO 8583 codec and the link, measured here, not asserted in tests.
package struct BenchCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure pack+unpack per second for a typical 0200, and authorizations per second through the link.",
        discussion: "Build with -c release for meaningful figures: swift run -c release keyin bench"
    )

    @Option(help: "Pack+unpack round trips to time.")
    var codecIterations = 200_000

    @Option(help: "Authorizations to send through the link to the in-process simulator.")
    var authorizations = 20_000

    @Option(help: "Authorizations in flight at once.")
    var concurrency = 64

    package init() {}

    package func run() async throws {
        let codec = try measureCodec()
        print(
            String(format: "ISO 8583 pack+unpack (0200 sale): %.0f per second (%d round trips)", codec, codecIterations)
        )
        let link = try await measureLink()
        print(
            String(
                format:
                    "authorizations through the link (loopback, %d in flight): %.0f per second; latency p50 %.2f ms, p99 %.2f ms",
                concurrency, link.perSecond, link.p50, link.p99))
    }

    func measureCodec() throws -> Double {
        let sale = ISO8583Message.typicalSale
        var checksum = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<codecIterations {
                let bytes = try ISO8583Codec.pack(sale)
                checksum &+= try ISO8583Codec.unpack(bytes).fields.count
            }
        }
        guard checksum == codecIterations * sale.fields.count else {
            throw ValidationError("codec round trip lost elements")
        }
        return Double(codecIterations) / elapsed.seconds
    }

    func measureLink() async throws -> (perSecond: Double, p50: Double, p99: Double) {
        var issuer = IssuerConfiguration.default
        issuer.defaultCreditLimit = .max / 2
        let engine = IssuerEngine(configuration: issuer)
        // Measured without logging: the numbers are the link's, not the terminal's.
        let quiet = Logger(label: "keyin.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = IssuerServer(engine: engine, logger: quiet)
        let port = try await server.start(port: 0)
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.responseTimeout = .seconds(30)
        let link = CardNetworkLink(configuration: configuration, logger: quiet)
        let request = CardAuthorizationRequest(
            cardNumber: CardNumber(typed: "4242424242424242")!, expiry: CardExpiry(year: 2030, month: 12)!,
            amount: .krw(15_000), cvc: "123", customerIdentity: CustomerIdentityNumber(parsing: "900101"),
            cardPasswordDigits: "12", companyCode: "41")
        // Warm the connection (connect and sign on) outside the measurement.
        _ = try await link.authorize(request, trace: link.newTrace(terminalID: "BENCH001", merchantID: "BENCH"))

        let total = authorizations
        let lanes = max(1, concurrency)
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var mine: [Double] = []
                    for _ in stride(from: lane, to: total, by: lanes) {
                        let sent = clock.now
                        _ = try await link.authorize(
                            request,
                            trace: link.newTrace(
                                terminalID: "BENCH\(String(format: "%03d", lane % 1000))", merchantID: "BENCH"))
                        mine.append((clock.now - sent).seconds * 1000)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
        }
        let elapsed = (clock.now - start).seconds
        await link.shutdown()
        try await server.stop()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return (Double(total) / elapsed, percentile(0.5), percentile(0.99))
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
