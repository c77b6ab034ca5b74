import Configuration
import Foundation

/// The settings as given, read through swift-configuration: command-line flags over environment variables over
/// the settings file. What is given is checked first (an unknown flag, a flag without a value, an unknown key or
/// a number where text belongs in the file), so a mistyped setting stops start-up instead of being ignored.
package struct SettingValues {
    package let reader: ConfigReader

    package init(arguments: [String], environment: [String: String]) throws(ConfigurationError) {
        try Self.check(arguments)
        let secrets = GatewaySetting.all.filter(\.isSecret)
        let commandLine = CommandLineArgumentsProvider(
            arguments: ["keyin"] + arguments, secretsSpecifier: .specific(Set(secrets.map(\.flag))))
        let unprefixed = GatewaySetting.unprefixed
        let renamed = GatewaySetting.environmentKeys
        // A variable set to nothing counts as not set, so it never hides the file's value.
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty },
            secretsSpecifier: .specific(Set(secrets.map(\.environmentName)))
        ).mapKeys { key in
            guard key.components.count == 1 else { return key.prepending("keyin") }
            let name = key.components[0]
            if unprefixed.contains(name) { return key }
            return AbsoluteConfigKey([renamed[name] ?? name]).prepending("keyin")
        }
        var providers: [any ConfigProvider] = [commandLine, environmentProvider]
        // The file's own name comes from the command line or the environment only.
        let named = try Self.single(
            ConfigReader(providers: providers).stringArray(forKey: ConfigKey(GatewaySetting.configFile.key)),
            GatewaySetting.configFile)
        if let path = named, !path.isEmpty {
            providers.append(try Self.fileProvider(path))
        }
        reader = ConfigReader(providers: providers)
    }

    /// A setting's value as given, nil when not given (or given empty). Lists come back joined by commas.
    package func text(_ setting: GatewaySetting) throws(ConfigurationError) -> String? {
        let values = reader.stringArray(forKey: ConfigKey(setting.key), isSecret: setting.isSecret)
        let text = setting.isList ? values?.joined(separator: ",") : try Self.single(values, setting)
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// A list setting's entries, nil when not given.
    package func list(_ setting: GatewaySetting) throws(ConfigurationError) -> [String]? {
        guard let values = reader.stringArray(forKey: ConfigKey(setting.key), isSecret: setting.isSecret) else {
            return nil
        }
        let entries = values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return entries.isEmpty ? nil : entries
    }

    /// A setting turned into a value by `parse`; `fallback` when not given; `problem` when `parse` refuses it.
    package func parsed<Value>(
        _ setting: GatewaySetting, default fallback: Value, problem: String, _ parse: (String) -> Value?
    ) throws(ConfigurationError) -> Value {
        guard let text = try text(setting) else { return fallback }
        guard let value = parse(text) else { throw ConfigurationError(setting: setting.name, problem: problem) }
        return value
    }

    /// A one-value setting: what the command line and the environment split at commas, joined again (a database
    /// password may hold one).
    private static func single(_ values: [String]?, _ setting: GatewaySetting) throws(ConfigurationError) -> String? {
        values?.joined(separator: ",")
    }

    /// Every `--flag` is a known setting and has one value after it (`--flag value` or `--flag=value`).
    package static func check(_ arguments: [String]) throws(ConfigurationError) {
        let flags = Set(GatewaySetting.all.map(\.flag))
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                // Not echoed: a value given without its flag may be a key or a password.
                throw ConfigurationError(
                    setting: "argument \(index + 1)", problem: "is not a --flag nor the value after one (see --help)")
            }
            let flag = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard flags.contains(flag) else {
                throw ConfigurationError(setting: flag, problem: "is not a setting (see --help)")
            }
            if argument.contains("=") {
                index += 1
                continue
            }
            guard index + 1 < arguments.endIndex, !arguments[index + 1].hasPrefix("--") else {
                throw ConfigurationError(setting: flag, problem: "needs a value")
            }
            index += 2
        }
    }

    /// The settings file: a JSON object of setting keys to text (numbers and true/false are taken as written),
    /// lists as arrays of text. Anything else stops start-up, naming the file and the key.
    package static func fileProvider(_ path: String) throws(ConfigurationError) -> InMemoryProvider {
        let setting = GatewaySetting.configFile.name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(setting: setting, problem: "names a file that cannot be read")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigurationError(setting: setting, problem: "is not a JSON object of settings")
        }
        let known = Dictionary(uniqueKeysWithValues: GatewaySetting.all.map { ($0.key, $0) })
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in object {
            guard let target = known[key], target != GatewaySetting.configFile else {
                throw ConfigurationError(setting: "\(path): \"\(key.prefix(40))\"", problem: "is not a setting")
            }
            let entries: [String]
            switch value {
            case let text as String: entries = [text]
            case let number as NSNumber: entries = [number.stringValue]
            case let list as [Any] where target.isList:
                let texts = list.compactMap { $0 as? String }
                guard texts.count == list.count else {
                    throw ConfigurationError(setting: "\(path): \(key)", problem: "must be an array of text")
                }
                entries = texts
            default:
                throw ConfigurationError(setting: "\(path): \(key)", problem: "must be text")
            }
            values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.stringArray(entries), isSecret: target.isSecret)
        }
        return InMemoryProvider(name: "settings file", values: values)
    }
}
