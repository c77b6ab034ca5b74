import KeyInAPI
import KeyInCore
import KeyInGateway
import Vapor

/// The document every page shares: language, viewport for phones, KeyIn's one stylesheet.
package enum PageLayout {
    package static func document(title: String, language: Language, body: HTML, scripts: HTML = "") -> Response {
        let page: HTML = """
            <!doctype html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <link rel="stylesheet" href="/assets/keyin.css">
            </head>
            <body>
            \(body)
            \(scripts)
            </body>
            </html>
            """
        let response = Response(status: .ok, body: .init(string: page.description))
        response.headers.contentType = .html
        // Pages hold payment details: never cached by a shared cache, never framed by another site.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    /// `?lang=en` first, then the browser's Accept-Language.
    package static func language(_ request: Request) -> Language {
        if let asked = request.query[String.self, at: "lang"], let language = Language(rawValue: asked) {
            return language
        }
        return request.language
    }

    /// A plain page that says something cannot be done, with the catalog's customer message and its help link.
    package static func problem(_ error: KeyInError, title: LocalizedText, language: Language, status: HTTPStatus)
        -> Response
    {
        let entry = error.entry
        let response = document(
            title: title.text(in: language), language: language,
            body: """
                <main class="page narrow">
                <h1>\(title.text(in: language))</h1>
                <p class="notice" role="alert">\(error.customerMessage.text(in: language))</p>
                <p><a href="/help/\(entry.helpPageID)?lang=\(language.rawValue)">\(PageText.help.text(in: language))</a></p>
                </main>
                """)
        response.status = status
        return response
    }
}
