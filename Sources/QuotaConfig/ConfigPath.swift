/// Builds field paths such as `targets[2].cloudflare.api_token_file`.
public enum ConfigPath {
    /// `parent.key`, or `parent["odd key"]` when the key contains characters
    /// (dots, spaces, quotes) that would make the plain form ambiguous.
    public static func member(_ key: String, of parent: String) -> String {
        let isPlain = !key.isEmpty && key.allSatisfy { character in
            character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
        }
        if !isPlain { return parent + "[" + JSONValue.string(key).serialized() + "]" }
        return parent.isEmpty ? key : parent + "." + key
    }

    /// `parent[index]`.
    public static func element(_ index: Int, of parent: String) -> String {
        "\(parent)[\(index)]"
    }
}
