// libyaml's scanner, which Yams is built on (its C target; Yams's own API has no token stream).
import CYaml

/// Finds YAML anchors (`&name`) and aliases (`*name`) with libyaml's scanner, before anything is
/// composed. A notebook needs neither, and nine lines of nested aliases expand to billions of values
/// ("billion laughs"): Yams would share the nodes, but hashing a mapping's keys and converting the
/// tree walk the expansion. Scanning is linear in the text and allocates one token at a time.
enum YAMLAliasScan {
    struct Found {
        /// "anchor" or "alias".
        var kind: String
        var name: String
        /// 1-based, within the scanned text.
        var line: Int, column: Int
    }

    /// The first anchor or alias in `text`, or nil (also when the text is not valid YAML: the
    /// parser that follows reports that, with its position).
    static func first(in text: String) -> Found? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Found? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var token = yaml_token_t()
            while yaml_parser_scan(&parser, &token) == 1 {
                defer { yaml_token_delete(&token) }
                let line = Int(token.start_mark.line) + 1, column = Int(token.start_mark.column) + 1
                switch token.type {
                case YAML_ANCHOR_TOKEN: return Found(kind: "anchor", name: String(cString: token.data.anchor.value), line: line, column: column)
                case YAML_ALIAS_TOKEN: return Found(kind: "alias", name: String(cString: token.data.alias.value), line: line, column: column)
                case YAML_STREAM_END_TOKEN: return nil
                default: continue
                }
            }
            return nil
        }
    }
}
