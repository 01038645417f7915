/// Lectern's version, recorded in every transcript.
public enum LecternVersion {
    public static let current = "0.1.0"
}
