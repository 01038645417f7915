import FlyingFox
import Foundation
import Testing
@testable import LecternPreview

/// Several tabs see the same run: every listener gets every event, starting with where things are, and
/// one that goes away changes nothing for the others.
struct PreviewEventsTests {
    func next(_ iterator: inout AsyncStream<WSMessage>.AsyncIterator) async -> [String: Any]? {
        guard case let .text(text)? = await iterator.next() else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    @Test func everyTabHearsEveryEventAndAClosedTabChangesNothing() async throws {
        let events = PreviewEvents()
        events.status("[1/2] load (line 3) running…")
        var first = events.subscribe().makeAsyncIterator()
        var second: AsyncStream<WSMessage>.AsyncIterator? = events.subscribe().makeAsyncIterator()
        #expect(events.listenerCount == 2)
        // A new tab starts with the current status and version.
        #expect(await next(&first)?["text"] as? String == "[1/2] load (line 3) running…")
        #expect(await next(&first)?["version"] as? Int == 0)
        events.pageChanged("lesson")
        events.logRow([("loss", 1.25), ("step", 10)], page: "lesson")
        _ = await next(&second!)
        _ = await next(&second!)
        let page = await next(&second!)
        #expect(page?["version"] as? Int == 1 && page?["page"] as? String == "lesson")
        let row = await next(&second!)
        #expect(row?["keys"] as? [String] == ["loss", "step"] && row?["page"] as? String == "lesson")
        // The second tab closes: the first still hears the next page.
        second = nil
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(events.listenerCount == 1)
        events.pageChanged("lesson")
        #expect(await next(&first)?["version"] as? Int == 1)
        _ = await next(&first)
        #expect(await next(&first)?["version"] as? Int == 2)
    }
}
