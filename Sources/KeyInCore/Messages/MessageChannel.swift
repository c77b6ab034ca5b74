/// The channels KeyIn can send a customer a message on.
public enum MessageChannel: String, CaseIterable, Sendable, Codable {
    case sms = "SMS"
    case kakaoTalk = "KAKAOTALK"
    case email = "EMAIL"
}
