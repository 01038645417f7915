import Foundation

/// Pages printed to PDF by headless Chromium (Debian's `chromium`, as `make screenshots` uses), and
/// PDFs joined by `pdfunite` (Debian's `poppler-utils`): the course site's handouts.
public enum PrintToPDF {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The first of these programs on the PATH.
    public static func program(_ names: [String]) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for folder in folders {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    public static var browser: String? { program(["chromium", "chromium-browser", "google-chrome"]) }
    public static var joiner: String? { program(["pdfunite"]) }

    /// Prints `page` (an HTML file) to `pdf`; the page's own CSS gives the paper, margins and page numbers.
    public static func printPage(_ page: String, to pdf: String, browser: String) throws(Failure) {
        let page = URL(fileURLWithPath: page).standardizedFileURL
        try run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--virtual-time-budget=5000",
                          "--print-to-pdf=" + URL(fileURLWithPath: pdf).standardizedFileURL.path, page.absoluteString])
        guard FileManager.default.fileExists(atPath: pdf) else { throw Failure(description: "Chromium wrote no \(pdf) for \(page.path).") }
    }

    public static func join(_ pdfs: [String], to pdf: String, joiner: String) throws(Failure) {
        try run(joiner, pdfs + [pdf])
    }

    private static func run(_ program: String, _ arguments: [String]) throws(Failure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch { throw Failure(description: "Cannot start \(program): \(error.localizedDescription)") }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(program) failed (status \(process.terminationStatus)): " + String(decoding: output.suffix(600), as: UTF8.self))
        }
    }
}
