import Benchmark
import CardVault
import Foundation
import ISO8583
import KeyInCore
import KeyInGateway
import KeyInPersistence

// `swift package benchmark` (add `--target KeyInBenchmarks`, `--filter …` to pick): each benchmark reports wall
// clock, throughput and mallocs per iteration. Figures go in docs/performance.md with the command that
// produced them; nothing here asserts a speed.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3), maxIterations: 1_000_000)

    // The checks the hosted page and the API run on every keyed-in card, all fields present.
    Benchmark("Card entry validation") { benchmark in
        let validator = CardEntryValidator()
        let entry = CardEntry(
            cardNumber: "4242 4242 4242 4242", expiry: "12/30", cvc: "123", customerIdentityNumber: "900101",
            cardPassword: "12", amount: 15_000, currency: "KRW", installmentMonths: 0)
        for _ in benchmark.scaledIterations {
            blackHole(validator.check(entry, requiring: Set(CardEntryField.allCases)))
        }
    }

    // The codec figure: one pack and one unpack of the typical 0200.
    Benchmark("ISO 8583 pack+unpack (0200 sale)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let sale = ISO8583Message.typicalSale
        for _ in benchmark.scaledIterations {
            let bytes = try ISO8583Codec.pack(sale)
            blackHole(try ISO8583Codec.unpack(bytes))
        }
    }

    // What every payment pays for its card number: sealed on the way in, opened for a refund.
    Benchmark("Vault seal and open") { benchmark in
        let vault = CardVault(current: MasterKey.generate().key)
        let number = CardNumber(typed: "4242424242424242")!
        for _ in benchmark.scaledIterations {
            blackHole(try vault.open(try vault.seal(number)))
        }
    }

    // The decision point's one read (its blocks and attempt windows) against the embedded SQLite database.
    Benchmark("Payment decision point") { benchmark in
        let gateway = try await BenchmarkGateway.shared()
        let payment = gateway.samplePayment()
        let origin = PaymentOrigin(apiKey: (digest: gateway.keyDigest, prefix: "test_sk_bench"))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await gateway.runtime.services.decisionPoint.decide(payment, origin: origin))
        }
        benchmark.stopMeasurement()
    }

    // One whole key-in payment: the request through Vapor's middleware and routes, the checks, the decision, both
    // durable transactions on SQLite and the authorization through the link to the in-process simulator.
    Benchmark(
        "Key-in payment through the handler stack", configuration: .init(maxDuration: .seconds(5), maxIterations: 5_000)
    ) { benchmark in
        let gateway = try await BenchmarkGateway.shared()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await gateway.pay()
        }
        benchmark.stopMeasurement()
    }
}
