/// A top-level column of a Parquet file as a dataset sees it: a value per row, or a list of values
/// per row (one level of repetition, as `datasets` writes `Sequence` and `List` features).
public struct ParquetColumn: Sendable {
    public enum Shape: Sendable, Equatable {
        case value
        case list
        /// A struct, a map or a list of lists: named so that an error can say why it cannot be read.
        case unsupported(String)
    }

    public var name: String
    public var shape: Shape
    /// The leaf that holds the values (its index among the row groups' column chunks).
    var leaf: Int
    var leafElement: SchemaElement
    /// Definition levels: the value is present at `maxDefinition`; for a list, the list exists from
    /// `listDefined` and has an element from `elementDefined`.
    var maxDefinition: Int
    var maxRepetition: Int
    var listDefined = 0
    var elementDefined = 0

    /// The top-level columns of a flattened schema (its first element is the root).
    static func columns(of schema: [SchemaElement]) throws(ColumnarError) -> [ParquetColumn] {
        guard let root = schema.first else { throw ColumnarError("The file's schema is empty: it is damaged.") }
        var columns: [ParquetColumn] = []
        var index = 1, leaf = 0
        for _ in 0..<root.childCount {
            guard index < schema.count else { throw ColumnarError("The file's schema names more columns than it has: it is damaged.") }
            let subtree = try Self.subtree(schema, at: index)
            columns.append(Self.column(schema[index..<subtree.end], firstLeaf: leaf))
            leaf += subtree.leaves
            index = subtree.end
        }
        return columns
    }

    /// Where the subtree starting at `index` ends, and how many leaves it has.
    private static func subtree(_ schema: [SchemaElement], at index: Int) throws(ColumnarError) -> (end: Int, leaves: Int) {
        var pending = 1, position = index, leaves = 0
        while pending > 0 {
            guard position < schema.count else { throw ColumnarError("The file's schema names more columns than it has: it is damaged.") }
            pending -= 1
            if schema[position].childCount == 0 { leaves += 1 } else { pending += schema[position].childCount }
            position += 1
        }
        return (position, leaves)
    }

    private static func column(_ nodes: ArraySlice<SchemaElement>, firstLeaf: Int) -> ParquetColumn {
        let field = nodes[nodes.startIndex]
        let fieldDefined = field.repetition == .required ? 0 : 1
        func unsupported(_ why: String) -> ParquetColumn {
            ParquetColumn(name: field.name, shape: .unsupported(why), leaf: firstLeaf, leafElement: field, maxDefinition: 0, maxRepetition: 0)
        }
        if field.childCount == 0 {
            if field.repetition == .repeated {
                // A bare repeated value: a list that is never null.
                return ParquetColumn(name: field.name, shape: .list, leaf: firstLeaf, leafElement: field, maxDefinition: 1, maxRepetition: 1,
                                     listDefined: 0, elementDefined: 1)
            }
            return ParquetColumn(name: field.name, shape: .value, leaf: firstLeaf, leafElement: field, maxDefinition: fieldDefined, maxRepetition: 0)
        }
        guard field.isList, field.repetition != .repeated, field.childCount == 1, nodes.count >= 2 else {
            return unsupported("a struct or map")
        }
        let repeated = nodes[nodes.startIndex + 1]
        guard repeated.repetition == .repeated else { return unsupported("a list whose inner field is not repeated") }
        let elementDefined = fieldDefined + 1
        if repeated.childCount == 0 {
            // The two-level list of older writers: the repeated field is the element.
            return ParquetColumn(name: field.name, shape: .list, leaf: firstLeaf, leafElement: repeated, maxDefinition: elementDefined,
                                 maxRepetition: 1, listDefined: fieldDefined, elementDefined: elementDefined)
        }
        guard repeated.childCount == 1, nodes.count == 3, nodes[nodes.startIndex + 2].childCount == 0 else {
            return unsupported("a list of structs or of lists")
        }
        let element = nodes[nodes.startIndex + 2]
        guard element.repetition != .repeated else { return unsupported("a list of lists") }
        return ParquetColumn(name: field.name, shape: .list, leaf: firstLeaf, leafElement: element,
                             maxDefinition: elementDefined + (element.repetition == .optional ? 1 : 0), maxRepetition: 1,
                             listDefined: fieldDefined, elementDefined: elementDefined)
    }
}
