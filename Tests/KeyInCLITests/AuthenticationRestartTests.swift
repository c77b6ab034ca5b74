import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension ServeCrashTests {
    @Test("A payment waiting for its 3-D Secure challenge survives a crash of keyin serve and completes after it")
    func challengeAcrossRestart() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-3ds-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        // The card company, with its ACS on the admin port: it outlives the gateway, as a real one does.
        let (issuer, issuerPort, adminPort) = try await launchIssuer()
        defer { issuer.terminate() }
        let acs = "http://127.0.0.1:\(adminPort)"
        let environment = [
            "KEYIN_ISSUER_HOSTS": "default=127.0.0.1:\(issuerPort)", "KEYIN_ACS_URL": acs,
            "KEYIN_ACS_SIGNING_KEY": "keyin-simulator-acs-key",
        ]
        let key = try await Self.createMerchant(dataDirectory: dataDirectory, environment: environment)
        let serveArguments = ["serve", "--data-dir", dataDirectory.path, "--port", "0"]
        let (first, firstOutput, firstErrors) = try await launch(serveArguments, environment: environment)
        let firstPort = try #require(
            listeningPort(await read(firstOutput, until: Self.listening)),
            "\((try? String(contentsOf: firstErrors, encoding: .utf8))?.suffix(2000) ?? "")")
        let waiting = try await Self.request(
            "POST", "http://127.0.0.1:\(firstPort)/v1/payments/key-in", key: key,
            body:
                #"{"amount":42000,"orderId":"3ds-restart-01","orderName":"전화 주문","cardNumber":"4242424242424242","cardExpirationYear":"30","cardExpirationMonth":"12","cardCvc":"123","threeDSecure":"CHALLENGE"}"#
        )
        #expect(waiting["status"] as? String == "WAITING_FOR_AUTHENTICATION", "\(waiting)")
        let challengeURL = try #require((waiting["nextAction"] as? [String: Any])?["url"] as? String)
        let acsID = try #require(challengeURL.split(separator: "/").last.map(String.init))
        first.killNow()
        try await first.waitUntilExit()

        // The cardholder answers while no gateway runs.
        try await answerSimulatorChallenge(at: acs, acsID: acsID)
        #expect(
            try await Self.ledgerTotals(adminPort: adminPort)?["capturedAmount"] as? Int == 0,
            "charged before the gateway came back")

        // The next start settles it from the card company's result, before serving: authorized once.
        let (second, secondOutput, _) = try await launch(serveArguments, environment: environment)
        defer { second.interrupt() }
        let secondPort = try #require(listeningPort(await read(secondOutput, until: Self.listening)))
        let payment = try await Self.request(
            "GET", "http://127.0.0.1:\(secondPort)/v1/payments/orders/3ds-restart-01", key: key)
        #expect(payment["status"] as? String == "DONE", "\(payment)")
        #expect((payment["threeDSecure"] as? [String: Any])?["status"] as? String == "Y")
        let totals = try #require(try await Self.ledgerTotals(adminPort: adminPort))
        #expect(totals["capturedAmount"] as? Int == 42000)
    }
}

/// Answers a challenge of the simulator's ACS at `base` (`keyin issuer`'s admin port, or `keyin serve` in test mode)
/// as its cardholder would: the code it "sent", read from `/3ds/sent-codes`, posted to the challenge page. The ACS
/// then sends the browser back to the gateway (303): not followed, the caller goes there when it chooses.
func answerSimulatorChallenge(at base: String, acsID: String) async throws {
    let (data, _) = try await URLSession.shared.data(from: URL(string: "\(base)/3ds/sent-codes")!)
    let codes = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    let code = try #require(codes.first { $0["acsTransactionID"] as? String == acsID }?["code"] as? String)
    var answer = URLRequest(url: URL(string: "\(base)/3ds/challenge/\(acsID)")!)
    answer.httpMethod = "POST"
    answer.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    answer.httpBody = Data("code=\(code)".utf8)
    let (_, response) = try await URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        .data(for: answer)
    #expect((response as? HTTPURLResponse)?.statusCode == 303, "the ACS did not take the code")
}
