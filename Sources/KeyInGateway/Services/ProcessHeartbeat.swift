import Foundation

/// How often a serving process tells the others on its database that it is alive, and how long a silence means
/// it is gone, so that crash recovery settles what it left within seconds of a crash rather than minutes.
package enum ProcessHeartbeat {
    package static let interval: Duration = .seconds(2)
    /// Five missed heartbeats. A process that cannot write its heartbeat for that long (its database out of reach)
    /// may see another process settle its in-flight payments: safe, since a late approval of a settled payment is
    /// reversed, but those payments fail.
    package static let silenceLimit: TimeInterval = 10
    /// A process not seen for a day is forgotten; what it left was settled long before.
    package static let forgetAfter: TimeInterval = 24 * 3600
}
