import Foundation
import Synchronization

/// Ctrl-C and SIGTERM during a run: the first asks the run to stop at its next safe point
/// (training writes a checkpoint at the step boundary, then the transcript is written);
/// a second one of the same kind ends the process at once, as the terminal's default would.
enum Interruption {
    /// The signal that asked to stop, or 0.
    private static let signal = Atomic<Int32>(0)

    static func install() {
        // A parent may start us with these signals blocked (the mask is inherited); take them back.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        for number in [SIGINT, SIGTERM] {
            // A signal handler may only do async-signal-safe work: store the number, restore the default.
            Foundation.signal(number) { received in
                Interruption.signal.store(received, ordering: .relaxed)
                Foundation.signal(received, SIG_DFL)
            }
        }
        // Past a file size limit, writes fail with EFBIG (reported) instead of killing the process.
        Foundation.signal(SIGXFSZ, SIG_IGN)
    }

    static var requested: Bool { signal.load(ordering: .relaxed) != 0 }

    /// The shell's convention for a process stopped by a signal: 128 + its number.
    static var exitStatus: Int32? {
        let number = signal.load(ordering: .relaxed)
        return number == 0 ? nil : 128 + number
    }
}
