import Foundation
import LecternTestSupport
import Testing

/// The notebooks the repository ships (lessons and the benchmark's larger configuration) stay
/// valid as the directives evolve: `lectern check` parses them and validates every cell.
struct ShippedNotebookTests {
    static let notebooks = ["notebooks/fine-tuning-bert.md", "notebooks/bbc-news.md", "notebooks/loading-data.md", "bench/ag-news-10k.md"]

    @Test(arguments: notebooks)
    func passesCheck(_ notebook: String) throws {
        let checked = try LecternProcess.run(["check", notebook], in: repositoryRoot.path)
        #expect(checked.status == 0, "\(notebook): \(checked.standardError)")
    }
}
