namespace ModelServer.Host.TensorFlow.TextFormat;

internal enum TextTokenKind
{
    End,
    Identifier,
    Number,
    String,
    Symbol,
}

/// <summary>One token of protobuf text format, with where it starts (1-based line and column) for error messages.</summary>
internal readonly record struct TextToken(TextTokenKind Kind, string Text, int Line, int Column)
{
    public string Where => $"{Line}:{Column}";
}
