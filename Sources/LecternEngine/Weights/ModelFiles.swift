// The model-file readers live in their own checked module; the engine's clients see their types
// (`ModelError`, `SafetensorsFile`, `ModelWeights`) through the engine, as before.
@_exported import LecternTokenizers
@_exported import LecternWeights
