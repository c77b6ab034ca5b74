import Testing

/// The page reader the console tests rely on: if it let broken markup through, or read text wrongly, every test
/// built on it would check less than it says.
@Suite("HTMLPage: the strict reader the page tests use")
struct HTMLPageTests {
    @Test(
        "Markup a browser would have to guess at is refused",
        arguments: [
            "<main><p>left open</main>", "<div><span>crossed</div></span>", "<p>an end tag too many</p></p>",
            "<a href=\"/x>never closes its quote</a>", "<p>a bare < in text</p>", "<p>R&D written raw</p>",
            "<p>&unknown; reference</p>", "<input name=a name=b>", "<!-- a comment that never ends",
            "<script>never closed",
        ])
    func refusesMalformedMarkup(markup: String) {
        #expect(throws: (any Error).self) { try HTMLPage(markup) }
    }

    @Test("Text and attributes are read as a browser shows them: references decoded, white space folded")
    func readsTextAndAttributes() throws {
        let page = try HTMLPage(
            """
            <!doctype html><html lang="ko"><head><meta charset="utf-8"><title>결제</title>
            <style>p > b { color: red }</style><script>if (a < b) { go() }</script></head>
            <body><!-- a note --><p class="big  figure" id="total">20,000원
              &middot; <strong>승인</strong>&#33;&#x21;</p>
            <a href="/console/payments?status=ABORTED&amp;category=card_info" data-x='&quot;q&quot;' hidden>실패</a>
            <svg role="img"><a href="/bar"><title>카드 정보: 1</title><rect x="1" /></a></svg><br>
            <table id="t"><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td><code>0200</code></td></tr></tbody></table>
            </body></html>
            """)
        let total = try #require(try page.first("p#total"))
        #expect(total.text == "20,000원 · 승인 !!")
        #expect(total.classes == ["big", "figure"])
        let link = try #require(try page.first("body a[hidden]"))
        #expect(link["href"] == "/console/payments?status=ABORTED&category=card_info")
        #expect(link["data-x"] == "\"q\"" && link["hidden"] == "")
        #expect(try page.first("svg a title")?.text == "카드 정보: 1")
        #expect(try page.first("table#t")?.rows == [["1", "0200"]])
        // Script and style are not text a person reads.
        #expect(!page.text.contains("go()") && !page.text.contains("color"))
    }

    @Test("Selectors name elements by name, id, class, attribute and descendant")
    func selects() throws {
        let page = try HTMLPage(
            """
            <form action="/console/links/1/send" class="row-form"><input name="_csrf" value="t"></form>
            <form action="/console/links/1/cancel" class="row-form secondary"><input name="_csrf" value="t"></form>
            <section><form action="/console/logout"><input name="_csrf" value="u"></form></section>
            """)
        #expect(try page.all("form").count == 3)
        #expect(try page.all("form.row-form").count == 2 && page.all("form.row-form.secondary").count == 1)
        #expect(try page.first("form[action$=/send]")?["action"] == "/console/links/1/send")
        #expect(try page.all("form[action^='/console/links/']").count == 2)
        #expect(try page.all("form[action*=links]").count == 2)
        #expect(try page.first("section input[name=_csrf]")?["value"] == "u")
        #expect(try page.all("section form input").count == 1)
        #expect(try page.all("[value=t]").count == 2)
        #expect(throws: (any Error).self) { try page.all("form > input") }
    }
}
